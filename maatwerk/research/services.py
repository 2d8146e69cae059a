"""Research requests from question to download: every state change is a function here that takes the
acting user (`by=`) and writes the AccessLog with the request's purpose (the AVG's purpose limitation is
the reason the log names it).

Who sees what: a researcher sees only their own requests; a policy officer sees every request with a part
of their municipality, the whole purpose and question included (they judge the purpose), but decides only
their own municipality's part. Nobody else sees a request. The researcher never reaches case data: the
export is the only thing they take away, and only their own.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

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

from .models import RequestPart, ResearchExport, ResearchRequest, VariableGroup

logger = logging.getLogger(__name__)

REQUEST_ROLES = frozenset({Role.RESEARCHER})
DECIDE_ROLES = frozenset({Role.POLICY})
# The first month a request may cover: nothing in the system is older.
EARLIEST_MONTH = datetime.date(2010, 1, 1)
# A job whose heartbeat is older than this belongs to a worker that died (the export job reports progress
# several times a minute; the anonymiser's slowest step, loading its engine, takes seconds).
STALE_AFTER = datetime.timedelta(minutes=5)
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
    from .tasks import build_research_export

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


# --- the job ------------------------------------------------------------------------------------------


def export_dir(export: ResearchExport) -> Path:
    return Path(settings.RESEARCH_EXPORT_DIR) / str(export.pk)


def build_file(export: ResearchExport, *, out_dir: Path, progress) -> dict:
    """The export job proper, for the task and the command alike: the engine builds the zip under
    `out_dir`; this returns its path, size, SHA-256 and manifest."""
    from .export import build

    path = Path(build(export, out_dir=out_dir, progress=progress))
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    manifest = export.manifest or _manifest_of(path)
    return {"path": path, "size": path.stat().st_size, "sha256": digest.hexdigest(), "manifest": manifest}


def _manifest_of(path: Path) -> dict:
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError, zipfile.BadZipFile):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _claim(export_id: int, attempt: int) -> ResearchExport | None:
    """Mark the export RUNNING for this attempt, or None when this task has nothing to do: another attempt
    superseded it, it is done, failed or expired, or a live worker is building it."""
    now = timezone.now()
    with transaction.atomic():
        export = ResearchExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.attempt != attempt:
            return None
        stale = export.state == State.RUNNING and (
            export.heartbeat_at is None or export.heartbeat_at < now - STALE_AFTER
        )
        if export.state != State.QUEUED and not stale:
            return None
        if export.expires_at and export.expires_at <= now:
            return None
        export.state = State.RUNNING
        export.started_at = export.heartbeat_at = now
        export.stage = ""
        export.progress_done = export.progress_total = 0
        export.error = ""
        export.save(
            update_fields=[
                "state",
                "started_at",
                "heartbeat_at",
                "stage",
                "progress_done",
                "progress_total",
                "error",
            ]
        )
    return export


def run_export(export_id: int, attempt: int) -> str:
    """What the task runs: claim, build, record the outcome. Returns the state it left (or "skipped").

    Each write is its own short statement, conditional on the attempt still being this one and RUNNING:
    an export that expired or was recovered meanwhile is not overwritten by a late finish."""
    export = _claim(export_id, attempt)
    if export is None:
        return "skipped"
    mine = ResearchExport.objects.filter(pk=export_id, attempt=attempt, state=State.RUNNING)

    def progress(stage: str, done: int, total: int) -> None:
        mine.update(
            stage=str(stage)[:40],
            progress_done=max(0, int(done)),
            progress_total=max(0, int(total)),
            heartbeat_at=timezone.now(),
        )

    from .export import ExportError

    out_dir = export_dir(export) / f"attempt-{attempt}"
    try:
        built = build_file(export, out_dir=out_dir, progress=progress)
    except ExportError as exc:
        logger.info("research export %s attempt %s failed: %s", export_id, attempt, exc)
        mine.update(state=State.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        return State.FAILED
    except Exception:
        logger.exception("research export %s attempt %s failed", export_id, attempt)
        mine.update(state=State.FAILED, error=ResearchExport.INTERNAL_ERROR, finished_at=timezone.now())
        return State.FAILED
    done = mine.update(
        state=State.DONE,
        file_name=str(built["path"].relative_to(Path(settings.RESEARCH_EXPORT_DIR))),
        size_bytes=built["size"],
        sha256=built["sha256"],
        manifest=built["manifest"],
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not done:
        # Expired (or recovered) while it ran: this file is nobody's.
        shutil.rmtree(out_dir, ignore_errors=True)
        return "superseded"
    # The files of earlier attempts (a worker killed halfway) go.
    for other in export_dir(export).glob("attempt-*"):
        if other != out_dir:
            shutil.rmtree(other, ignore_errors=True)
    return State.DONE


# --- recovery and expiry ------------------------------------------------------------------------------


def _task_alive(export: ResearchExport, cutoff) -> bool:
    """Whether the task queued for the export's attempt is still waiting, or started recently, on the
    database backend. With another backend (the tests' ImmediateBackend runs at once) there is none."""
    from django_tasks import TaskResultStatus
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import build_research_export

    if not export.task_id or not isinstance(build_research_export.get_backend(), DatabaseBackend):
        return False
    waiting = Q(status=TaskResultStatus.READY)
    starting = Q(status=TaskResultStatus.RUNNING, started_at__gte=cutoff)
    return DBTaskResult.objects.filter(waiting | starting, id=export.task_id).exists()


def recover_stale(
    now: datetime.datetime | None = None, *, stale_after: datetime.timedelta = STALE_AFTER
) -> list[int]:
    """Queue again (attempt + 1) the exports a dead worker left: RUNNING with a heartbeat older than
    STALE_AFTER, and QUEUED for longer than that without a live task. The ids of those queued.

    Run when the worker starts (scripts/run-with-worker.sh, `maatwerk recover-research`) and before each
    job. Locked row by row, and the condition checked again under the lock, so two recoveries at once
    queue one job; the old attempt's task, should it still run, finds the attempt changed and does nothing.
    A worker starting as the only one (`make run`) knows every RUNNING job is dead: `stale_after=0`.
    """
    now = now or timezone.now()
    cutoff = now - stale_after
    candidates = ResearchExport.objects.filter(
        Q(state=State.RUNNING, heartbeat_at__lt=cutoff)
        | Q(state=State.RUNNING, heartbeat_at__isnull=True)
        | Q(state=State.QUEUED, queued_at__lt=cutoff)
        | Q(state=State.QUEUED, queued_at__isnull=True)
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    recovered = []
    for export_id in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            export = candidates.select_for_update().filter(pk=export_id).first()
            if export is None or (export.state == State.QUEUED and _task_alive(export, cutoff)):
                continue
            previous = export.attempt
            _requeue(export)
            log_access(
                None,
                export,
                action=AccessLog.Action.UPDATE,
                purpose=_purpose(export.request, "research export recovered"),
                changes={"attempt": [previous, export.attempt]},
            )
            _enqueue(export)
        recovered.append(export_id)
    return recovered


def expire_due(now: datetime.datetime | None = None) -> list[int]:
    """Delete the files and wipe the keys of exports past their expiry date (state EXPIRED); the ids."""
    now = now or timezone.now()
    due = ResearchExport.objects.filter(expires_at__lte=now).exclude(state=State.EXPIRED)
    expired = []
    for export_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            export = due.select_for_update().filter(pk=export_id).first()
            if export is None:
                continue
            export.state = State.EXPIRED
            export.key = b""
            export.file_name = ""
            export.save(update_fields=["state", "key", "file_name"])
            log_access(
                None,
                export,
                action=AccessLog.Action.DELETE,
                purpose=_purpose(export.request, "research export expired"),
            )
        # After the commit: a file deleted for a row that then rolled back would be lost for good.
        shutil.rmtree(export_dir(export), ignore_errors=True)
        expired.append(export_id)
    return expired


# --- taking it away -----------------------------------------------------------------------------------


def is_downloadable(export: ResearchExport, now=None) -> bool:
    now = now or timezone.now()
    return (
        export.state == State.DONE
        and bool(export.file_name)
        and export.expires_at is not None
        and export.expires_at > now
    )


def download(*, by, export: ResearchExport) -> Path:
    """The path of the export's zip for its own researcher, logged as an EXPORT with the purpose. Raises
    PermissionDenied for anyone else and ValidationError when it is not ready or has expired."""
    if not is_own(by, export.request):
        raise PermissionDenied
    if not is_downloadable(export):
        raise ValidationError(_("This export cannot be downloaded: it is not ready or it has expired."))
    path = Path(settings.RESEARCH_EXPORT_DIR) / export.file_name
    if not path.is_file():
        raise ValidationError(_("The file of this export is missing; ask the functional administrator."))
    log_access(
        by,
        export,
        action=AccessLog.Action.EXPORT,
        purpose=_purpose(export.request, "research export download"),
        changes={"sha256": export.sha256},
    )
    return path


def export_to(request: ResearchRequest, *, out_dir: Path, by=None, progress=None) -> Path:
    """`maatwerk export-research`: the same job as the task for a request whose parts are decided with
    at least one approved, with the export's own key (its pseudonyms are those of the web's file), written
    to `out_dir`. The export's state on the page is left as it is. Logged as an EXPORT."""
    try:
        export = request.export
    except ResearchExport.DoesNotExist:
        export = None
    if export is None:
        if not request.parts.filter(state=RequestPart.State.APPROVED).exists():
            raise ValidationError(_("Request #%(n)d has no approved part.") % {"n": request.pk})
        raise ValidationError(
            _("Request #%(n)d still waits for a municipality's decision.") % {"n": request.pk}
        )
    if (
        export.state == State.EXPIRED
        or not export.key
        or (export.expires_at and export.expires_at <= timezone.now())
    ):
        raise ValidationError(_("The export of request #%(n)d has expired.") % {"n": request.pk})
    built = build_file(export, out_dir=Path(out_dir), progress=progress or (lambda *args: None))
    log_access(
        by,
        export,
        action=AccessLog.Action.EXPORT,
        purpose=_purpose(request, "export-research command"),
        changes={"sha256": built["sha256"], "file": built["path"].name},
    )
    return built["path"]
