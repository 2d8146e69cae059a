"""The barrier register (knelpunten): a rule that blocks households, the cases it hurts, the escalation
ladder to national agencies and the structural groups across teams and municipalities. Rows change only
through `maatwerk.barriers.services`.

A barrier is not personal data: it describes a rule, not a household. It belongs to a municipality (and
the team that registered it); the households it hurts are reached only through `CaseLink`, which is
scoped to the case's team. Agencies are a bitmask over `cases.Agency`, like on Case.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import Municipality, Team
from maatwerk.cases import lib as case_lib
from maatwerk.cases.models import Agency, Case, agency_labels


class BarrierType(models.TextChoices):
    RULE_CLASH = "rule_clash", _("rule clash")
    UNUSED_ROOM = "unused_room", _("unused room in the rules")
    COOPERATION = "cooperation", _("cooperation")
    INFORMATION_EXCHANGE = "information_exchange", _("information exchange")
    DEADLINES = "deadlines", _("deadlines")
    SANCTION_STACKING = "sanction_stacking", _("enforcement and sanction stacking")
    BUDGET_PARTITION = "budget_partition", _("budget partition")


class BarrierStatus(models.TextChoices):
    OPEN = "open", _("open")
    ESCALATED = "escalated", _("escalated")
    ANSWERED = "answered", _("answered")
    SOLVED_CASE = "solved_case", _("solved for this case")
    SOLVED_STRUCTURAL = "solved_structural", _("solved structurally")
    REJECTED = "rejected", _("rejected")


OPEN_STATUSES = (BarrierStatus.OPEN, BarrierStatus.ESCALATED, BarrierStatus.ANSWERED)
CLOSED_STATUSES = (BarrierStatus.SOLVED_CASE, BarrierStatus.SOLVED_STRUCTURAL, BarrierStatus.REJECTED)


class Level(models.TextChoices):
    TEAM = "team", _("team")
    MUNICIPALITY = "municipality", _("municipality (maatwerkfunctionaris)")
    REGION = "region", _("region")
    NATIONAL = "national", _("national (Landelijk Maatwerkloket or the agency)")


LEVEL_ORDER = [Level.TEAM, Level.MUNICIPALITY, Level.REGION, Level.NATIONAL]
LOCAL_LEVELS = (Level.TEAM, Level.MUNICIPALITY)


class Decision(models.TextChoices):
    SOLVED_CASE = "solved_case", _("solved for this case")
    SOLVED_STRUCTURAL = "solved_structural", _("solved structurally")
    REJECTED = "rejected", _("rejected")
    REFERRED = "referred", _("referred to the next level")
    PENDING = "pending", _("under consideration")


class BarrierGroup(models.Model):
    """A structural signal: barriers that are the same rule, across teams and municipalities."""

    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("barrier group")
        verbose_name_plural = _("barrier groups")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"S-{self.pk:05d}" if self.pk else "S-new"


class Barrier(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    # The registering team; empty when registered at municipal level (maatwerkfunctionaris).
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    type = models.CharField(_("type"), max_length=24, choices=BarrierType.choices)
    title = models.CharField(_("title"), max_length=200)
    agencies = models.PositiveIntegerField(_("agencies involved"), default=0)
    other_agency = models.CharField(_("other agency"), max_length=120, blank=True)
    legal_provision = models.CharField(_("legal provision"), max_length=200, blank=True)
    # Normalised provision ("art. 4:90 Awb" = "Artikel 4:90 AWB") for the structural grouping.
    provision_key = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    description = models.TextField(_("description"))
    risk = models.TextField(_("risk if nothing happens"), blank=True)
    risk_date = models.DateField(_("date of the risk"), null=True, blank=True)
    solution_asked = models.TextField(_("solution asked for"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=BarrierStatus.choices, default=BarrierStatus.OPEN
    )
    close_reason = models.TextField(_("reason"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        BarrierGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="barriers",
        verbose_name=_("structural group"),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)

    class Meta:
        verbose_name = _("barrier")
        verbose_name_plural = _("barriers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status"], name="barrier_municipality_status"),
            models.Index(fields=["type", "provision_key"], name="barrier_signal"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"K-{self.pk:06d}" if self.pk else "K-new"

    @property
    def agency_list(self) -> list[Agency]:
        return [Agency(v) for v in case_lib.from_mask(self.agencies) if v in Agency.values]

    @property
    def agency_labels(self) -> str:
        return agency_labels(self.agency_list, self.other_agency)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class CaseLink(models.Model):
    """A case that the barrier hurts. Visible in detail only to the case's team; elsewhere a count."""

    barrier = models.ForeignKey(
        Barrier, on_delete=models.CASCADE, related_name="links", verbose_name=_("barrier")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="barrier_links", verbose_name=_("case")
    )
    # Entered by the worker: what is at stake for this household (the business-case figure).
    cost_at_stake = models.DecimalField(
        _("cost at stake"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("linked case")
        verbose_name_plural = _("linked cases")
        ordering = ["linked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["barrier", "case"], name="barrier_link_unique")]

    def __str__(self) -> str:
        return f"{self.barrier.reference} ↔ {self.case.reference}"


class Escalation(models.Model):
    """One step on the ladder: who escalated, to whom, when, by when, and the answer and decision."""

    barrier = models.ForeignKey(
        Barrier, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("barrier")
    )
    level = models.CharField(_("level"), max_length=14, choices=Level.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("escalated by")
    )
    to = models.CharField(_("escalated to"), max_length=200)
    question = models.TextField(_("question"), blank=True)
    # Why this step was taken while the step before it still had no answer (see services.check_escalation).
    reason = models.TextField(_("reason to escalate further"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), default=timezone.now)
    due_date = models.DateField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["escalated_at", "id"]
        indexes = [models.Index(fields=["answered_at", "due_date"], name="escalation_due")]

    def __str__(self) -> str:
        return f"{self.barrier.reference} → {self.get_level_display()}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return not self.is_answered and self.due_date < today
