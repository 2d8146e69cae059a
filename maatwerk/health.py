"""/gezondheid/: is this instance fit to serve? For the load balancer and the operator's monitoring.

Anonymous (a load balancer has no login) and without personal data: only whether the database answers and
whether the task worker keeps up, as the age of the oldest task that is ready and still waiting. A worker
that died leaves its tasks waiting, so a queue older than HEALTH_MAX_QUEUE_SECONDS answers 503 as well as a
database that does not answer: a monitor then calls the operator, and a load balancer takes the instance out.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def queue() -> dict:
    """How many tasks wait for the worker, and how long the oldest has waited (seconds)."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready().aggregate(count=Count("pk"), oldest=Min("enqueued_at"))
    oldest = waiting["oldest"]
    wait = round((timezone.now() - oldest).total_seconds()) if oldest else 0
    return {"waiting": waiting["count"], "oldest_wait_seconds": wait}


@never_cache
@require_GET
def health(request):
    database = database_ok()
    body = {"database": "ok" if database else "error"}
    healthy = database
    if database:
        tasks = queue()
        behind = tasks["oldest_wait_seconds"] > settings.HEALTH_MAX_QUEUE_SECONDS
        body["worker"] = {"status": "behind" if behind else "ok", **tasks}
        healthy = not behind
    body["status"] = "ok" if healthy else "error"
    return JsonResponse(body, status=200 if healthy else 503)
