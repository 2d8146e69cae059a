"""The registration in Open Zaak as a background task (django-tasks, run by `manage.py db_worker`; at once
in the tests). The request that closed the case or decided the spend never waits for Open Zaak."""

from django_tasks import task

from . import services


@task()
def register_case(case_id: int) -> str:
    return str(services.run(case_id))
