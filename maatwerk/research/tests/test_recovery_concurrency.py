"""Two recoveries at the same moment (two workers starting, a worker and the cron job) queue a dead job once:
each takes the export's row lock and checks again under it. On SQLite (a file copy of the test database,
as budgets' concurrency test does it) and PostgreSQL."""

import pytest

from conftest import build_world
from maatwerk.budgets.tests.test_concurrency import run_threads, shared_database
from maatwerk.research.models import ResearchExport

from . import factories


@pytest.mark.django_db(transaction=True)
def test_two_recoveries_at_once_queue_the_job_once(settings):
    from django_tasks_db.models import DBTaskResult

    from maatwerk.research import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    world = build_world()
    export = factories.approved(world).export
    ResearchExport.objects.filter(pk=export.pk).update(
        state=ResearchExport.State.RUNNING, heartbeat_at=factories.ago(minutes=10)
    )
    DBTaskResult.objects.all().delete()

    def after():
        row = ResearchExport.objects.values_list("state", "attempt").get(pk=export.pk)
        return row, DBTaskResult.objects.count()

    with shared_database() as in_thread:
        results = run_threads(in_thread, services.recover_stale, [(), ()])
        assert sorted(results) == [[], [export.pk]]
        assert run_threads(in_thread, after, [()]) == [((ResearchExport.State.QUEUED, 2), 1)]
