"""The export job as a background task (django-tasks, run by `manage.py db_worker`; at once in the tests).

django-tasks with its database backend because the project already runs it (the dashboards' refresh, the
voices' anonymiser): it works on SQLite for the embedded default and on PostgreSQL in production, with no
broker to run. The library does not bring jobs back from a worker that was killed, so the export does
that itself (services.recover_stale) with an attempt number that keeps a job from being built twice.
"""

from django_tasks import task

from . import services


@task()
def build_research_export(export_id: int, attempt: int) -> dict:
    # Housekeeping first: a worker restarted by hand or by systemd (not through scripts/run-with-worker.sh)
    # picks up what its predecessor left, and old files go on time even without the cron job.
    services.expire_due()
    services.recover_stale()
    return {"export": export_id, "attempt": attempt, "result": str(services.run_export(export_id, attempt))}
