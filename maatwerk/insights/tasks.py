"""The refresh as a background task (django-tasks, run by `manage.py db_worker`), and the one way the
pages ask for it: `request_refresh()`, which queues at most one.

Many dashboards open at once all find the figures stale; without the check each would queue a rebuild
and the worker would rebuild the same tables over and over.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .freshness import MAX_AGE, is_stale
from .refresh import refresh

# A run that has been "running" this long belongs to a worker that died: it no longer blocks a new one.
RUNNING_AT_MOST = datetime.timedelta(hours=1)
# Any fixed number: the advisory lock that makes PostgreSQL's check-then-enqueue one step at a time.
_LOCK_KEY = 0x1A5_12


@task()
def refresh_insights() -> dict:
    run = refresh()
    return {"refresh": run.pk, "cases": run.cases}


def _pending():
    """The refresh tasks queued, or running since recently, on the task's backend."""
    queued = Q(status=TaskResultStatus.READY)
    running = Q(status=TaskResultStatus.RUNNING, started_at__gte=timezone.now() - RUNNING_AT_MOST)
    return DBTaskResult.objects.filter(
        queued | running,
        task_path=refresh_insights.module_path,
        backend_name=refresh_insights.get_backend().alias,
    )


def request_refresh() -> bool:
    """Queue a refresh unless one is already queued or running; True when this call queued one.

    With a backend that runs tasks at once (the tests' ImmediateBackend) nothing can be pending, so every
    call runs the refresh.
    """
    if not isinstance(refresh_insights.get_backend(), DatabaseBackend):
        refresh_insights.enqueue()
        return True
    with transaction.atomic():
        # SQLite's transactions take the write lock at BEGIN (settings: IMMEDIATE), which already makes
        # this one step at a time; PostgreSQL needs the lock said out loud.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        if _pending().exists():
            return False
        refresh_insights.enqueue()
    return True


def refresh_if_stale(max_age: datetime.timedelta = MAX_AGE) -> bool:
    """What a dashboard calls on every view: queue a refresh when the figures are older than `max_age`
    (or were never computed). True when this call queued one."""
    return is_stale(max_age) and request_refresh()
