"""The export job and what happens around it: building the file (for the task and the command alike),
recovering the jobs of a dead worker, expiry, and the download."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import shutil
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog

from ..models import RequestPart, ResearchExport, ResearchRequest
from .requests import _enqueue, _purpose, _requeue, is_own

logger = logging.getLogger(__name__)

# A job whose heartbeat is older than this belongs to a worker that died (the export job reports progress
# several times a minute; the anonymiser's slowest step, loading its engine, takes seconds).
STALE_AFTER = datetime.timedelta(minutes=5)

State = ResearchExport.State


# --- the job ------------------------------------------------------------------------------------------


def export_dir(export: ResearchExport) -> Path:
    return Path(settings.RESEARCH_EXPORT_DIR) / str(export.pk)


def build_file(export: ResearchExport, *, out_dir: Path, progress) -> dict:
    """The export job proper, for the task and the command alike: the engine builds the zip under
    `out_dir`; this returns its path, size, SHA-256 and manifest."""
    from ..export import build

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

    from ..export import ExportError

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

    from ..tasks import build_research_export

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
