"""Registering a case as a zaak in Open Zaak, retry-safe step by step.

Like Open Forms' ZGW registration, every step first looks for what an earlier attempt may already have
created and only then creates; and each result is saved on the registration right after the remote call.
Unlike it, the looking is done in the remote system too (by the deterministic identificatie, or the marker
in a status's toelichting), so that a crash *between* the remote create and our save (a killed worker, a
timeout after the remote side committed) still never creates a second zaak, status, besluit or document.

Steps, in the order the Zaken API needs them (a zaak with its eindstatus is closed to further changes):
zaak -> support plan document (at closing, if configured) -> a besluit per spend decision -> resultaat (at
closing) -> a status per recorded status change, oldest first (closing's status is the eindstatus).

A run claims the registration under a row lock (state RUNNING, a fresh `run_token`) and lets the lock go
before calling out: the HTTP calls never hold a database lock. Every write after that is conditional on the
token, so a worker that was given up on (no heartbeat for STALE_AFTER) cannot overwrite its successor.
"""

from __future__ import annotations

import base64
import datetime
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog
from maatwerk.budgets.models import SpendRequest, SpendStatus
from maatwerk.cases.models import Case, Status, StatusChange

from .models import BesluitRegistration, CaseRegistration, State, ZaakConfig
from .zgw import ExportError, call, client_for, find_all

logger = logging.getLogger(__name__)

CONFIDENTIALITY = "zeer_geheim"
# A run that has not reported for this long belongs to a worker that died (each step reports; a request
# times out after the service's timeout, 10 s by default).
STALE_AFTER = datetime.timedelta(minutes=10)
INTERNAL_ERROR = "internal"
CLOSED_STATUSES = (Status.CLOSED, Status.AFTERCARE)


def identificatie(case_id: int) -> str:
    return f"MW-{case_id}"


def besluit_identificatie(spend_id: int) -> str:
    return f"MW-B-{spend_id}"


def document_identificatie(case_id: int) -> str:
    return f"MW-{case_id}-plan"


def status_marker(change_id: int) -> str:
    """The statustoelichting that ties a status in Open Zaak to our status change (no personal data)."""
    return f"Maatwerk statuswijziging {change_id}"


def _after_remote(step: str) -> None:
    """Called right after a remote object was created and before it is saved here. Nothing in production;
    the tests make it raise, to show that a crash at exactly that moment creates no duplicate."""


def _find_or_create(client, collection: str, step: str, filters: dict, payload, remote_step: str):
    """(url, created): the object an earlier attempt made, found by `filters` in the remote system, or a new
    one from `payload()` (built only when needed: the plan's PDF is not rendered for nothing)."""
    found = find_all(client, collection, step, filters)
    if found:
        return found[0]["url"], False
    url = call(client, "POST", collection, step, json=payload())["url"]
    _after_remote(remote_step)
    return url, True


def config_for(municipality_id: int) -> ZaakConfig | None:
    return ZaakConfig.objects.filter(municipality_id=municipality_id, enabled=True).first()


# --- triggering ------------------------------------------------------------------------------------------


def request_sync(case_id: int) -> CaseRegistration | None:
    """A change worth sending happened on the case (after commit): queue a run when the case's
    municipality switched the export on. A run in progress is asked to run once more instead."""
    case = Case.objects.filter(pk=case_id).only("pk", "municipality_id").first()
    if case is None or config_for(case.municipality_id) is None:
        return None
    try:
        with transaction.atomic():
            CaseRegistration.objects.get_or_create(
                case_id=case.pk,
                defaults={"municipality_id": case.municipality_id, "identificatie": identificatie(case.pk)},
            )
    except IntegrityError:
        pass  # a simultaneous change made it first
    with transaction.atomic():
        reg = CaseRegistration.objects.select_for_update().get(case_id=case.pk)
        if reg.state == State.RUNNING and not _is_stale(reg, timezone.now()):
            reg.rerun = True
            reg.save(update_fields=["rerun"])
            return reg
        reg.state = State.PENDING
        reg.save(update_fields=["state"])
        transaction.on_commit(lambda: enqueue(case.pk))
    return reg


def enqueue(case_id: int) -> None:
    from .tasks import register_case

    register_case.enqueue(case_id)


def _is_stale(reg: CaseRegistration, now, stale_after=STALE_AFTER) -> bool:
    return reg.heartbeat_at is None or reg.heartbeat_at < now - stale_after


def may_retry(reg: CaseRegistration, now=None) -> bool:
    now = now or timezone.now()
    return reg.state == State.FAILED or (reg.state == State.RUNNING and _is_stale(reg, now))


@transaction.atomic
def retry(case: Case, *, by) -> CaseRegistration:
    """A worker or team lead of the case's team asks again after a failure (the case page's button)."""
    if case.team_id not in tenancy.team_ids(by):
        raise PermissionDenied(_("Only workers and team leads of the case's team may retry the export."))
    reg = CaseRegistration.objects.select_for_update().filter(case=case).first()
    if reg is None or not may_retry(reg):
        raise ValidationError({"state": _("There is no failed registration to retry.")})
    reg.state = State.PENDING
    reg.save(update_fields=["state"])
    log_access(
        by,
        reg,
        action=AccessLog.Action.UPDATE,
        purpose="retry zaak registration",
        household_id=case.household_id,
        municipality_id=case.municipality_id,
    )
    transaction.on_commit(lambda: enqueue(case.pk))
    return reg


def retry_all(*, stale_after: datetime.timedelta = STALE_AFTER, now=None) -> list[int]:
    """Queue again every failed registration, every run a dead worker left and every waiting one (its task
    may have been lost). For the management command; the ids of the cases queued."""
    now = now or timezone.now()
    cutoff = now - stale_after
    candidates = CaseRegistration.objects.filter(
        Q(state__in=[State.FAILED, State.PENDING])
        | Q(state=State.RUNNING, heartbeat_at__lt=cutoff)
        | Q(state=State.RUNNING, heartbeat_at__isnull=True)
    )
    queued = []
    for reg_id in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            reg = candidates.select_for_update().filter(pk=reg_id).first()
            if reg is None or config_for(reg.municipality_id) is None:
                continue
            reg.state = State.PENDING
            reg.heartbeat_at = None
            reg.save(update_fields=["state", "heartbeat_at"])
            transaction.on_commit(lambda case_id=reg.case_id: enqueue(case_id))
            queued.append(reg.case_id)
    return queued


# --- the run ---------------------------------------------------------------------------------------------


class Superseded(Exception):
    """Another run claimed the registration (this one was taken for dead)."""


def _claim(case_id: int) -> CaseRegistration | None:
    now = timezone.now()
    with transaction.atomic():
        reg = CaseRegistration.objects.select_for_update().filter(case_id=case_id).first()
        if reg is None:
            return None
        if reg.state == State.RUNNING and not _is_stale(reg, now):
            return None  # a live worker has it
        if reg.state in (State.DONE, State.FAILED):
            return None  # nothing asked since; a retry or a new change sets it PENDING
        reg.state = State.RUNNING
        reg.run_token = uuid.uuid4().hex
        reg.attempts += 1
        reg.started_at = reg.heartbeat_at = now
        reg.finished_at = None
        reg.error = ""
        reg.rerun = False
        reg.save(
            update_fields=[
                "state",
                "run_token",
                "attempts",
                "started_at",
                "heartbeat_at",
                "finished_at",
                "error",
                "rerun",
            ]
        )
    return reg


def _save(reg: CaseRegistration, **fields) -> None:
    """Record a step's result, only while this run still holds the registration."""
    fields["heartbeat_at"] = timezone.now()
    if not CaseRegistration.objects.filter(pk=reg.pk, run_token=reg.run_token, state=State.RUNNING).update(
        **fields
    ):
        raise Superseded
    for name, value in fields.items():
        setattr(reg, name, value)


def run(case_id: int) -> str:
    """What the task runs. Returns the state it left, or "skipped"."""
    reg = _claim(case_id)
    if reg is None:
        return "skipped"
    mine = CaseRegistration.objects.filter(pk=reg.pk, run_token=reg.run_token, state=State.RUNNING)
    try:
        while True:
            config = config_for(reg.municipality_id)
            if config is None:
                mine.update(state=State.PENDING, finished_at=timezone.now())
                return "disabled"
            _sync(reg, config)
            with transaction.atomic():
                current = CaseRegistration.objects.select_for_update().get(pk=reg.pk)
                if current.run_token != reg.run_token:
                    raise Superseded
                if not current.rerun:
                    current.state = State.DONE
                    current.finished_at = timezone.now()
                    current.save(update_fields=["state", "finished_at"])
                    return State.DONE
                current.rerun = False
                current.save(update_fields=["rerun"])
    except Superseded:
        return "superseded"
    except ExportError as exc:
        logger.info("zaak registration of case %s failed: %s", case_id, exc)
        mine.update(state=State.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        return State.FAILED
    except Exception:
        logger.exception("zaak registration of case %s failed", case_id)
        mine.update(state=State.FAILED, error=INTERNAL_ERROR, finished_at=timezone.now())
        return State.FAILED


def error_text(reg: CaseRegistration) -> str:
    if reg.error == INTERNAL_ERROR:
        return _("An unexpected error occurred; the operator of Maatwerk can find it in the log.")
    return reg.error


def _sync(reg: CaseRegistration, config: ZaakConfig) -> None:
    case = Case.objects.get(pk=reg.case_id)
    zaken = client_for(config.zaken_service, zaken=True)
    with zaken:
        _zaak(reg, config, case, zaken)
        closed = case.status in CLOSED_STATUSES
        if closed and config.sends_documents and not reg.zaakinformatieobject_url:
            _document(reg, config, case, zaken)
        _besluiten(reg, config, case)
        if closed and not reg.resultaat_url:
            _resultaat(reg, config, zaken)
        _statussen(reg, config, case, zaken)


def _zaak(reg, config, case, zaken) -> None:
    if reg.zaak_url:
        return
    url, created = _find_or_create(
        zaken,
        "zaken",
        _("Registering the zaak"),
        {"identificatie": reg.identificatie, "bronorganisatie": config.rsin},
        lambda: zaak_payload(config, case, reg.identificatie),
        "zaak",
    )
    if created:
        log_access(
            None,
            case,
            action=AccessLog.Action.EXPORT,
            purpose="zaak registered in Open Zaak",
            household_id=case.household_id,
            municipality_id=case.municipality_id,
        )
    _save(reg, zaak_url=url)


def zaak_payload(config: ZaakConfig, case: Case, ident: str) -> dict:
    """Minimal: identification, dates, type. No names, no vastloper, no notes; einddatum is set by the
    Zaken API itself when the eindstatus (closing) is set."""
    return {
        "identificatie": ident,
        "bronorganisatie": config.rsin,
        "verantwoordelijkeOrganisatie": config.rsin,
        "zaaktype": config.zaaktype,
        "omschrijving": _("Maatwerk case %(ref)s") % {"ref": ident},
        "startdatum": case.opened_on.isoformat(),
        "vertrouwelijkheidaanduiding": CONFIDENTIALITY,
    }


def _statussen(reg, config, case, zaken) -> None:
    changes = list(StatusChange.objects.filter(case=case).order_by("at", "pk"))
    todo = [c for c in changes if str(c.pk) not in reg.status_urls]
    if not todo:
        return
    step = _("Setting the status")
    existing = {
        s.get("statustoelichting"): s["url"]
        for s in find_all(zaken, "statussen", step, {"zaak": reg.zaak_url})
        if s.get("statustoelichting")
    }
    for change in todo:
        statustype = config.statustype(change.to_status)
        if not statustype:
            _save(reg, status_urls={**reg.status_urls, str(change.pk): ""})  # not sent: not configured
            continue
        marker = status_marker(change.pk)
        url = existing.get(marker)
        if url is None:
            payload = {
                "zaak": reg.zaak_url,
                "statustype": statustype,
                "datumStatusGezet": change.at.isoformat(),
                "statustoelichting": marker,
            }
            url = call(zaken, "POST", "statussen", step, json=payload)["url"]
            _after_remote("status")
        _save(reg, status_urls={**reg.status_urls, str(change.pk): url})


def _resultaat(reg, config, zaken) -> None:
    url, _created = _find_or_create(
        zaken,
        "resultaten",
        _("Setting the result"),
        {"zaak": reg.zaak_url},
        lambda: {"zaak": reg.zaak_url, "resultaattype": config.resultaattype},
        "resultaat",
    )
    _save(reg, resultaat_url=url)


def decided_spends(case: Case):
    return SpendRequest.objects.filter(case=case, decided_at__isnull=False).order_by("decided_at", "pk")


def besluit_payload(config: ZaakConfig, spend: SpendRequest, zaak_url: str) -> dict:
    """The decision and its amount; not the purpose, payee, IBAN or the reason of a rejection (free text
    that may name people). The zaak has no persons, so the amount names nobody."""
    day = timezone.localtime(spend.decided_at).date().isoformat()
    rejected = spend.status == SpendStatus.REJECTED
    outcome = pgettext("besluit", "rejected") if rejected else pgettext("besluit", "approved")
    return {
        "identificatie": besluit_identificatie(spend.pk),
        "verantwoordelijkeOrganisatie": config.rsin,
        "besluittype": config.besluittype,
        "zaak": zaak_url,
        "datum": day,
        "ingangsdatum": day,
        "toelichting": _("Maatwerk spend %(outcome)s: EUR %(amount)s")
        % {"outcome": outcome, "amount": spend.amount},
    }


def _besluiten(reg, config, case) -> None:
    spends = [
        s
        for s in decided_spends(case)
        if not BesluitRegistration.objects.filter(spend=s).exclude(besluit_url="").exists()
    ]
    if not spends:
        return
    step = _("Registering the decision")
    besluiten = client_for(config.besluiten_service)
    with besluiten:
        for spend in spends:
            ident = besluit_identificatie(spend.pk)
            # The Besluiten API links the besluit to the zaak itself (it creates the zaakbesluit in the
            # Zaken API, which a consumer must not do); we only give the zaak's URL.
            url, _created = _find_or_create(
                besluiten,
                "besluiten",
                step,
                {"identificatie": ident, "verantwoordelijkeOrganisatie": config.rsin},
                lambda spend=spend: besluit_payload(config, spend, reg.zaak_url),
                "besluit",
            )
            with transaction.atomic():
                if not CaseRegistration.objects.filter(pk=reg.pk, run_token=reg.run_token).exists():
                    raise Superseded
                BesluitRegistration.objects.update_or_create(
                    spend=spend,
                    defaults={
                        "registration": reg,
                        "identificatie": ident,
                        "besluit_url": url,
                        "registered_at": timezone.now(),
                    },
                )
                _save(reg)


def plan_pdf(case: Case) -> bytes:
    from maatwerk.businesscases import services as bc_services
    from maatwerk.businesscases.pdf import render_plan_pdf

    return render_plan_pdf(case, bc_services.latest_version(case), bc_services.latest_triangle(case))


def document_payload(config: ZaakConfig, case: Case, pdf: bytes) -> dict:
    ident = document_identificatie(case.pk)
    return {
        "identificatie": ident,
        "bronorganisatie": config.rsin,
        "creatiedatum": timezone.localdate().isoformat(),
        "titel": _("Support plan %(ref)s") % {"ref": identificatie(case.pk)},
        "vertrouwelijkheidaanduiding": CONFIDENTIALITY,
        "auteur": "Maatwerk",
        "status": "definitief",
        "formaat": "application/pdf",
        "taal": "nld",
        "bestandsnaam": f"ondersteuningsplan-{identificatie(case.pk)}.pdf",
        "inhoud": base64.b64encode(pdf).decode("ascii"),
        "informatieobjecttype": config.informatieobjecttype,
        "indicatieGebruiksrecht": False,
    }


def _document(reg, config, case, zaken) -> None:
    if not reg.document_url:
        step = _("Storing the support plan")
        documenten = client_for(config.documenten_service)
        with documenten:
            url, created = _find_or_create(
                documenten,
                "enkelvoudiginformatieobjecten",
                step,
                {"identificatie": document_identificatie(case.pk), "bronorganisatie": config.rsin},
                lambda: document_payload(config, case, plan_pdf(case)),
                "document",
            )
            if created:
                log_access(
                    None,
                    case,
                    action=AccessLog.Action.EXPORT,
                    purpose="support plan PDF sent to Open Zaak",
                    household_id=case.household_id,
                    municipality_id=case.municipality_id,
                )
        _save(reg, document_url=url)
    url, _created = _find_or_create(
        zaken,
        "zaakinformatieobjecten",
        _("Linking the support plan to the zaak"),
        {"zaak": reg.zaak_url, "informatieobject": reg.document_url},
        lambda: {
            "zaak": reg.zaak_url,
            "informatieobject": reg.document_url,
            "titel": _("Support plan %(ref)s") % {"ref": identificatie(case.pk)},
        },
        "zaakinformatieobject",
    )
    _save(reg, zaakinformatieobject_url=url)
