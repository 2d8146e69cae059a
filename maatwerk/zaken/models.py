"""The export to Open Zaak: a municipality's configuration, and what was registered for each case and each
spend decision (so that a retry continues where a crashed attempt stopped, never creating twice)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.nl import bsn as stdnum_bsn

from maatwerk.accounts.models import Municipality
from maatwerk.cases.models import Status

# The status of a case -> the config field with its statustype URL. Aftercare is optional: the zaak ends
# at closing (its eindstatus); a municipality that also wants aftercare in Open Zaak configures it.
STATUSTYPE_FIELDS = {
    Status.INTAKE: "statustype_intake",
    Status.ANALYSIS: "statustype_analysis",
    Status.PLAN: "statustype_plan",
    Status.EXECUTION: "statustype_execution",
    Status.CLOSED: "statustype_closed",
    Status.AFTERCARE: "statustype_aftercare",
}
OPTIONAL_STATUSTYPES = {Status.AFTERCARE}


def validate_rsin(value: str) -> None:
    """An RSIN is nine digits passing the 11-check, the same check as a BSN's (stdnum.nl.bsn)."""
    if not (len(value) == 9 and value.isdigit() and stdnum_bsn.is_valid(value)):
        raise ValidationError(
            _("The RSIN must be 9 digits that pass the 11-check."),
            code="invalid_rsin",
            params={"value": value},
        )


def url_field(verbose_name, *, blank: bool = True):
    return models.URLField(verbose_name, max_length=1000, blank=blank, validators=[URLValidator()])


class ZaakConfig(models.Model):
    """Per municipality, off by default. The operator links the ZGW services (they hold the credentials);
    the municipality's functional administrator sets the rest and switches it on."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="zaak_config", verbose_name=_("municipality")
    )
    enabled = models.BooleanField(_("export cases to Open Zaak"), default=False)
    rsin = models.CharField(
        _("RSIN of the municipality"),
        max_length=9,
        blank=True,
        validators=[validate_rsin],
        help_text=_("Sent as bronorganisatie and verantwoordelijkeOrganisatie."),
    )
    zaken_service = models.ForeignKey(
        "zgw_consumers.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Zaken API"),
    )
    besluiten_service = models.ForeignKey(
        "zgw_consumers.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Besluiten API"),
    )
    documenten_service = models.ForeignKey(
        "zgw_consumers.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Documenten API"),
        help_text=_("Only needed when the support plan is sent as a document."),
    )
    zaaktype = url_field(_("zaaktype URL"))
    statustype_intake = url_field(_("statustype URL for intake"))
    statustype_analysis = url_field(_("statustype URL for analysis"))
    statustype_plan = url_field(_("statustype URL for plan"))
    statustype_execution = url_field(_("statustype URL for execution"))
    statustype_closed = url_field(_("statustype URL for closed"))
    statustype_aftercare = url_field(
        _("statustype URL for aftercare"), blank=True
    )  # optional, see OPTIONAL_STATUSTYPES
    resultaattype = url_field(_("resultaattype URL"))
    besluittype = url_field(_("besluittype URL"))
    informatieobjecttype = url_field(
        _("informatieobjecttype URL"),
    )

    class Meta:
        verbose_name = _("Open Zaak configuration")
        verbose_name_plural = _("Open Zaak configurations")

    def __str__(self) -> str:
        return str(self.municipality)

    def statustype(self, status: str) -> str:
        return getattr(self, STATUSTYPE_FIELDS[Status(status)])

    @property
    def sends_documents(self) -> bool:
        return bool(self.informatieobjecttype)

    def clean(self) -> None:
        if not self.enabled:
            return
        errors: dict = {}
        required = {
            "rsin": _("Fill in the RSIN before switching the export on."),
            "zaaktype": _("Fill in the zaaktype before switching the export on."),
            "resultaattype": _("Fill in the resultaattype before switching the export on."),
            "besluittype": _("Fill in the besluittype before switching the export on."),
        }
        for status, name in STATUSTYPE_FIELDS.items():
            if status not in OPTIONAL_STATUSTYPES:
                required[name] = _("Fill in the statustype for this status before switching the export on.")
        for name, message in required.items():
            if not getattr(self, name):
                errors[name] = message
        for name in ("zaken_service", "besluiten_service"):
            if getattr(self, f"{name}_id") is None:
                errors[name] = _(
                    "The operator of Maatwerk links this service before the export can be switched on."
                )
        if self.informatieobjecttype and self.documenten_service_id is None:
            errors["documenten_service"] = _(
                "The support plan is sent as a document only with a Documenten API; the operator links it."
            )
        if errors:
            raise ValidationError(errors)


class State(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("busy")
    DONE = "done", _("registered")
    FAILED = "failed", _("failed")


class CaseRegistration(models.Model):
    """The zaak of one case and what was created for it, step by step (each URL saved right after the
    remote object was created). A worker claims it (state RUNNING, `run_token`) under a row lock."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="zaak_registration", verbose_name=_("case")
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        _("registration state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    identificatie = models.CharField(_("zaak identification"), max_length=40)
    zaak_url = models.URLField(_("zaak URL"), max_length=1000, blank=True)
    # {status change id (str): status URL}
    status_urls = models.JSONField(default=dict, blank=True)
    resultaat_url = models.URLField(max_length=1000, blank=True)
    document_url = models.URLField(max_length=1000, blank=True)
    zaakinformatieobject_url = models.URLField(max_length=1000, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    # Another trigger arrived while a worker ran: it runs once more before it lets go.
    rerun = models.BooleanField(default=False)
    run_token = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("zaak registration")
        verbose_name_plural = _("zaak registrations")

    def __str__(self) -> str:
        return self.identificatie


class BesluitRegistration(models.Model):
    """The besluit of one spend decision (approved or rejected)."""

    spend = models.OneToOneField(
        "budgets.SpendRequest", on_delete=models.CASCADE, related_name="besluit_registration"
    )
    registration = models.ForeignKey(CaseRegistration, on_delete=models.CASCADE, related_name="besluiten")
    identificatie = models.CharField(max_length=50)
    besluit_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    registered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("besluit registration")
        verbose_name_plural = _("besluit registrations")

    def __str__(self) -> str:
        return self.identificatie
