"""Asking for research data and deciding on it: who sees which request, the request, each
municipality's decision and a retry."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Municipality, Role
from maatwerk.validation import check_personal_data, parse_ids, parse_text

from ..models import RequestPart, ResearchExport, ResearchRequest, VariableGroup

REQUEST_ROLES = frozenset({Role.RESEARCHER})
DECIDE_ROLES = frozenset({Role.POLICY})
# The first month a request may cover: nothing in the system is older.
EARLIEST_MONTH = datetime.date(2010, 1, 1)
NO_PERSONAL_DATA = gettext_lazy("Describe the research, not a household: no names, BSNs or addresses.")

State = ResearchExport.State


# --- who sees what ------------------------------------------------------------------------------------


def visible_requests(user) -> QuerySet[ResearchRequest]:
    """The requests `user` may open: their own as researcher, those with a part of their municipality as
    policy. Nothing for anyone else."""
    condition = Q(pk__in=[])
    if tenancy.has_role(user, *REQUEST_ROLES):
        condition |= Q(researcher=user)
    municipalities = tenancy.municipality_ids(user, DECIDE_ROLES)
    if municipalities:
        condition |= Q(parts__municipality__in=municipalities)
    return ResearchRequest.objects.filter(
        pk__in=ResearchRequest.objects.filter(condition).values("pk")
    ).select_related("researcher", "export")


def parts_to_decide(user) -> QuerySet[RequestPart]:
    """The parts of the user's municipalities (as policy), pending ones first."""
    return (
        RequestPart.objects.filter(municipality__in=tenancy.municipality_ids(user, DECIDE_ROLES))
        .select_related("request", "request__researcher", "municipality")
        .annotate(waiting=Case(When(state=RequestPart.State.PENDING, then=Value(0)), default=Value(1)))
        .order_by("waiting", "-request__created_at", "municipality__name")
    )


def is_own(user, request: ResearchRequest) -> bool:
    return request.researcher_id == getattr(user, "pk", None) and tenancy.has_role(user, *REQUEST_ROLES)


def may_decide(user, part: RequestPart) -> bool:
    return part.municipality_id in tenancy.municipality_ids(user, DECIDE_ROLES)


def may_retry(user, export: ResearchExport) -> bool:
    request = export.request
    return is_own(user, request) or any(may_decide(user, part) for part in request.parts.all())


def _purpose(request: ResearchRequest, what: str) -> str:
    # AccessLog.purpose holds 200 characters: the step, the request and as much of its purpose as fits.
    return f"{what} #{request.pk}: {request.purpose}"[:200]


# --- asking -------------------------------------------------------------------------------------------


def parse_month(value, field: str, errors: dict) -> datetime.date | None:
    """A month as "YYYY-MM" (an <input type="month">), an ISO date or a date; the first day of that month,
    from January 2010 up to this month."""
    if value in (None, ""):
        errors[field] = _("This field is required.")
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        text = str(value).strip()
        try:
            value = datetime.date.fromisoformat(text + "-01" if len(text) == 7 else text)
        except ValueError:
            errors[field] = _("Enter a month as year and month, for example 2025-03.")
            return None
    month = value.replace(day=1)
    latest = timezone.localdate().replace(day=1)
    if not EARLIEST_MONTH <= month <= latest:
        errors[field] = _("Enter a month from January %(first)d up to this month.") % {
            "first": EARLIEST_MONTH.year
        }
        return None
    return month


def create_request(
    *,
    by,
    purpose,
    question,
    period_from,
    period_to,
    municipalities: Iterable,
    variable_groups: Iterable,
    free_text: bool,
) -> ResearchRequest:
    """A researcher's request, with one pending part per municipality asked for. Raises PermissionDenied
    for anyone but a researcher, ValidationError (every wrong field at once, Dutch) for bad input."""
    if not tenancy.has_role(by, *REQUEST_ROLES):
        raise PermissionDenied
    errors: dict = {}
    purpose = parse_text(purpose, "purpose", errors, required=True)
    question = parse_text(question, "question", errors, required=True)
    check_personal_data(purpose, "purpose", _("Purpose"), errors, NO_PERSONAL_DATA)
    check_personal_data(question, "question", _("Research question"), errors, NO_PERSONAL_DATA)
    start = parse_month(period_from, "period_from", errors)
    end = parse_month(period_to, "period_to", errors)
    if start and end and end < start:
        errors["period_to"] = _("The last month comes before the first.")
    ids = parse_ids(
        [m.pk if isinstance(m, Municipality) else m for m in (municipalities or [])], "municipalities", errors
    )
    chosen = list(Municipality.objects.filter(pk__in=ids)) if ids else []
    if "municipalities" not in errors:
        if not ids:
            errors["municipalities"] = _("Choose at least one municipality.")
        elif len(chosen) != len(ids):
            errors["municipalities"] = _("Choose from the list.")
    if isinstance(variable_groups, str):
        variable_groups = [variable_groups]
    groups = list(dict.fromkeys(variable_groups or []))
    if any(not isinstance(g, str) or g not in VariableGroup.values for g in groups):
        errors["variable_groups"] = _("Choose from the list.")
    if not isinstance(free_text, bool):
        errors["free_text"] = _("Choose yes or no.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = ResearchRequest.objects.create(
            researcher=by,
            purpose=purpose,
            question=question,
            period_from=start,
            period_to=end,
            # In the order of the choices, so two equal requests read the same.
            variable_groups=[g for g in VariableGroup.values if g in groups],
            free_text=free_text,
        )
        RequestPart.objects.bulk_create(RequestPart(request=request, municipality=m) for m in chosen)
        log_access(
            by,
            request,
            action=AccessLog.Action.CREATE,
            purpose=_purpose(request, "research request"),
            changes={"municipalities": sorted(m.code for m in chosen), "variable_groups": groups},
        )
    return request


# --- deciding -----------------------------------------------------------------------------------------


def decide_part(*, by, part: RequestPart, approve: bool, reason) -> RequestPart:
    """A policy officer's decision on their municipality's part, once, with a reason. When it is the last
    part to be decided and any part was approved, the export is made and its job queued."""
    if not may_decide(by, part):
        raise PermissionDenied
    errors: dict = {}
    if not isinstance(approve, bool):
        errors["decision"] = _("Choose approve or reject.")
    reason = parse_text(reason, "reason", errors, required=True)
    check_personal_data(reason, "reason", _("Reason"), errors, NO_PERSONAL_DATA)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The request first: two officers deciding the last two parts at once must not both find the other
        # part pending (no export) or both make one.
        request = ResearchRequest.objects.select_for_update().get(pk=part.request_id)
        part = RequestPart.objects.select_for_update().get(pk=part.pk)
        if part.state != RequestPart.State.PENDING:
            raise ValidationError({"decision": _("This part has already been decided.")})
        part.state = RequestPart.State.APPROVED if approve else RequestPart.State.REJECTED
        part.reason = reason
        part.decided_by = by
        part.decided_at = timezone.now()
        part.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        log_access(
            by,
            part,
            action=AccessLog.Action.UPDATE,
            purpose=_purpose(request, "research request decision"),
            changes={"state": part.state},
        )
        states = set(request.parts.values_list("state", flat=True))
        if RequestPart.State.PENDING not in states and RequestPart.State.APPROVED in states:
            _create_export(request)
    return part


def _create_export(request: ResearchRequest) -> ResearchExport:
    now = timezone.now()
    export = ResearchExport.objects.create(
        request=request,
        # A fresh key per approved request: two exports cannot be joined on their pseudonyms.
        key=secrets.token_bytes(32),
        attempt=1,
        queued_at=now,
        expires_at=now + datetime.timedelta(days=settings.RESEARCH_EXPORT_DAYS),
    )
    _enqueue(export)
    return export


def _enqueue(export: ResearchExport) -> None:
    """Queue the job of the export's current attempt, inside the caller's transaction: with the database
    backend the task row commits with the export (or not at all). The tests' ImmediateBackend runs the job
    right here, so only the task id is written afterwards, never the export as this caller last saw it."""
    from ..tasks import build_research_export

    result = build_research_export.enqueue(export.pk, export.attempt)
    ResearchExport.objects.filter(pk=export.pk, attempt=export.attempt).update(task_id=str(result.id))


def retry_export(*, by, export: ResearchExport) -> ResearchExport:
    """Queue a failed export again (a new attempt), by its researcher or a policy officer of a part."""
    if not may_retry(by, export):
        raise PermissionDenied
    with transaction.atomic():
        export = ResearchExport.objects.select_for_update().get(pk=export.pk)
        if export.state != State.FAILED:
            raise ValidationError(_("Only a failed export can be tried again."))
        if export.expires_at and export.expires_at <= timezone.now():
            raise ValidationError(_("This export has expired; ask for a new one."))
        _requeue(export)
        log_access(
            by,
            export,
            action=AccessLog.Action.UPDATE,
            purpose=_purpose(export.request, "research export retry"),
            changes={"attempt": export.attempt},
        )
        _enqueue(export)
    export.refresh_from_db()
    return export


def _requeue(export: ResearchExport) -> None:
    export.attempt += 1
    export.state = State.QUEUED
    export.error = ""
    export.stage = ""
    export.progress_done = export.progress_total = 0
    export.queued_at = timezone.now()
    export.started_at = export.heartbeat_at = export.finished_at = None
    export.task_id = ""
    export.save(
        update_fields=[
            "attempt",
            "state",
            "error",
            "stage",
            "progress_done",
            "progress_total",
            "queued_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
            "task_id",
        ]
    )
