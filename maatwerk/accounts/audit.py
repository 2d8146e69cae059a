"""Writing the AccessLog: who read or changed which household's data, when and why."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from .models import AccessLog

# Who is acting, for code that writes the log without a request at hand (the password-change signal).
# Set around the admin's views; outside them (a management command) the actor is unknown and stays None.
_actor: ContextVar = ContextVar("maatwerk_audit_actor", default=(None, None))

# Secrets are never copied into the log, not even as hashes: a change shows only these markers.
SECRET_OLD = "(verborgen)"  # noqa: S105 (a marker, not a password)
SECRET_NEW = "(gewijzigd)"  # noqa: S105


@contextmanager
def acting(user, request=None) -> Iterator[None]:
    token = _actor.set((user, request))
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> tuple:
    """(user, request) of the admin view running now, or (None, None)."""
    return _actor.get()


def log_access(
    user,
    obj: Model | None = None,
    *,
    action: str,
    purpose: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    household_id: int | None = None,
    municipality_id: int | None = None,
    request=None,
    changes: dict | None = None,
) -> AccessLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        household_id = household_id if household_id is not None else getattr(obj, "household_id", None)
        if municipality_id is None:
            municipality_id = getattr(obj, "municipality_id", None)
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type or "",
        object_id=str(object_id if object_id is not None else ""),
        household_id=household_id,
        municipality_id=municipality_id,
        purpose=str(purpose)[:200],
        # AccessLog.save() drops the query string but for the non-personal filters.
        path=(request.get_full_path() if request is not None else ""),
        changes=changes or {},
    )


# log_access's INSERT, written out for `change_row` (see there).
_INSERT_LOG = (
    "INSERT INTO accounts_accesslog"
    " (at, user_id, municipality_id, action, object_type, object_id, household_id, purpose, path, changes)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', '{}')"
)


def change_row(
    user, obj: Model, *, action: str, purpose: str, household_id: int | None, municipality_id: int | None
) -> tuple[str, list]:
    """The statement (SQL, parameters) that `log_access` would run for a change made by a service
    without a request (no path, no changes), for a caller on a hot path (approving a spend) that runs it
    with its other writes: building the AccessLog took 0.18 ms of Python, this 0.02."""
    return _INSERT_LOG, [
        connection.ops.adapt_datetimefield_value(timezone.now()),
        user.pk if getattr(user, "is_authenticated", False) else None,
        municipality_id,
        action,
        obj._meta.label_lower,
        str(obj.pk),
        household_id,
        str(purpose)[:200],
    ]


def log_reads(
    user,
    objects: Iterable[Model],
    *,
    purpose: str,
    request=None,
    action: str = AccessLog.Action.READ,
    household_of=lambda obj: getattr(obj, "household_id", None),
) -> None:
    """One row per object shown in a list or file, each naming its household, in one INSERT.

    A list shows names, IBANs or purposes of every household in it, so each is a read of that household's
    data. An object listed twice is logged once. `household_of` finds the household of an object that
    holds it indirectly (a spend request through its case).
    """
    user = user if getattr(user, "is_authenticated", False) else None
    path = request.get_full_path() if request is not None else ""
    now = timezone.now()
    rows, seen = [], set()
    for obj in objects:
        key = (obj._meta.label_lower, obj.pk)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            AccessLog(
                at=now,
                user=user,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                household_id=household_of(obj),
                municipality_id=getattr(obj, "municipality_id", None),
                purpose=str(purpose)[:200],
                # bulk_create, like save(), drops the query string but for the non-personal filters.
                path=path,
            )
        )
    if rows:
        AccessLog.objects.bulk_create(rows)
