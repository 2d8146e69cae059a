"""How old the dashboards' figures are: the last refresh that finished without an error."""

import datetime

from django.utils import timezone

from .models import Refresh

MAX_AGE = datetime.timedelta(minutes=10)


def last_refresh() -> Refresh | None:
    """The latest successful refresh (the one the tables now hold), or None before the first."""
    return Refresh.objects.filter(finished_at__isnull=False, error="").order_by("-finished_at", "-id").first()


def is_stale(max_age: datetime.timedelta = MAX_AGE, *, now: datetime.datetime | None = None) -> bool:
    """Whether the figures are older than `max_age` (or were never computed): time to ask for a refresh."""
    last = last_refresh()
    if last is None:
        return True
    return (now or timezone.now()) - last.finished_at > max_age
