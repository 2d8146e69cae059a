"""Writing the AccessLog: who read or changed which household's data, when and why."""

from django.db.models import Model

from .models import AccessLog


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
        path=(request.get_full_path()[:300] if request is not None else ""),
    )
