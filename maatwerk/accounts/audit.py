"""Writing the AccessLog: who read or changed which household's data, when and why."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Model

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
