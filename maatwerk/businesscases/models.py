"""Business cases and value triangles of a case. Rows change only through `maatwerk.businesscases.services`.

Tenancy: every row hangs off a case and is scoped with ``tenancy.scope(qs, user, team_field="case__team",
municipality_field=None)`` (for a version: ``business_case__case__team``).

A business case is a list of versions: every save is a new :class:`BusinessCaseVersion` holding the plan
as the engine reads it, the engine's result and the editor's input, so what a decision was based on can be
shown later exactly as it was. A version that a decision rests on (a spend approved on it) is frozen: the
model then refuses any change, and editing the business case simply creates the next version.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maatwerk.cases.models import Case


class FrozenVersionError(ValidationError):
    """Raised when something tries to change or delete a frozen business-case version."""


class BusinessCase(models.Model):
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="business_case", verbose_name=_("case")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("business case")
        verbose_name_plural = _("business cases")

    def __str__(self) -> str:
        return f"{self.case.reference}"

    @property
    def latest_version(self) -> "BusinessCaseVersion | None":
        return self.versions.order_by("-number").first()


class VersionQuerySet(models.QuerySet):
    # Bulk updates and deletes bypass Model.save(); refuse them too when they would touch a frozen row.
    def update(self, **kwargs):
        if self.filter(frozen_at__isnull=False).exists():
            raise FrozenVersionError(_("A frozen business-case version cannot be changed."))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(frozen_at__isnull=False).exists():
            raise FrozenVersionError(_("A frozen business-case version cannot be deleted."))
        return super().delete()


NET_QUANTILES = 20


class BusinessCaseVersion(models.Model):
    business_case = models.ForeignKey(
        BusinessCase, on_delete=models.CASCADE, related_name="versions", verbose_name=_("business case")
    )
    number = models.PositiveIntegerField(_("version"))
    # The plan exactly as the engine computed it (contract JSON), including the automatic worker-time flow.
    plan = models.JSONField(_("plan"))
    # The engine's output for `plan` (floats, as the engine returns them; shown through to_decimal).
    result = models.JSONField(_("result"))
    # What the editor showed (rows with unit amounts and quantities, parameters), to edit it again.
    inputs = models.JSONField(_("editor input"), default=dict, blank=True)
    # Where each catalogue figure came from when the version was made: code → name, year, grade, source.
    sources = models.JSONField(_("sources"), default=dict, blank=True)
    hours = models.DecimalField(_("worker hours counted"), max_digits=8, decimal_places=2, default=0)
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=12, decimal_places=2)
    # Denormalised from `result` so lists, budgets and the triangle need no JSON parsing.
    investment = models.DecimalField(_("investment"), max_digits=12, decimal_places=2)
    expected_net = models.DecimalField(_("expected net benefit"), max_digits=12, decimal_places=2)
    # avoided / investment: up to about 2·10¹² for the largest avoided cost over a one-cent investment, so
    # wider than the money columns (which hold ten digits before the comma).
    roi = models.DecimalField(
        _("return on investment"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    p_net_positive = models.DecimalField(_("chance of a net gain"), max_digits=5, decimal_places=4)
    # For the dashboards' two-level intervals (insights): the simulated net as NET_QUANTILES equally likely
    # values (the quantiles of the Monte Carlo draws at the midpoints (i + 0.5) / NET_QUANTILES), and the
    # variance and third central moment of the draws themselves. Empty / null for versions made before.
    net_draws = models.JSONField(_("simulated net, as quantiles"), default=list, blank=True)
    net_var = models.FloatField(_("variance of the simulated net"), null=True, blank=True)
    net_m3 = models.FloatField(_("third central moment of the simulated net"), null=True, blank=True)
    # The weakest confidence grade (A..D) of the catalogue items the plan uses; "" when it uses none.
    weakest_grade = models.CharField(_("weakest confidence grade"), max_length=1, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("frozen by"),
    )
    frozen_reason = models.CharField(_("reason for freezing"), max_length=300, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("business-case version")
        verbose_name_plural = _("business-case versions")
        ordering = ["business_case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["business_case", "number"], name="bcversion_unique_number"),
            models.CheckConstraint(
                condition=Q(frozen_at__isnull=True) | ~Q(frozen_reason=""), name="bcversion_frozen_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_case} v{self.number}"

    def save(self, *args, **kwargs):
        # The database, not this instance, says whether the row is frozen: a stale copy must not slip through.
        if self.pk and type(self).objects.filter(pk=self.pk, frozen_at__isnull=False).exists():
            raise FrozenVersionError(
                _("A frozen business-case version cannot be changed; save a new version.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk, frozen_at__isnull=False).exists():
            raise FrozenVersionError(_("A frozen business-case version cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None


class Verdict(models.TextChoices):
    YES = "yes", _("yes, the deviation is justified")
    DOUBT = "doubt", _("in doubt")
    NO = "no", _("no, not justified")


class ValueTriangle(models.Model):
    """Waardendriehoek: why deviating from the regular route is right for this household.

    Each save is a new row (the latest one counts); ``rendement`` is a snapshot of the business-case
    version it was based on, so later versions do not rewrite an earlier judgement.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="value_triangles", verbose_name=_("case")
    )
    engagement = models.TextField(
        _("engagement"), help_text=_("What the household and its network want, and what they do themselves.")
    )
    legitimacy = models.TextField(
        _("legitimacy"), help_text=_("Why deviating from the regular route is right, and on what grounds.")
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=200, blank=True, help_text=_("For example Participatiewet art. 35.")
    )
    version = models.ForeignKey(
        BusinessCaseVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business-case version"),
    )
    version_number = models.PositiveIntegerField(_("business-case version"), null=True, blank=True)
    # Snapshot of the return (rendement): net, roi, p_net_positive, p5, p95 as Decimal strings.
    rendement = models.JSONField(_("return"), default=dict, blank=True)
    judgement = models.TextField(_("balance"), help_text=_("Your weighing of the three corners together."))
    verdict = models.CharField(_("deviation justified?"), max_length=5, choices=Verdict.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("value triangle")
        verbose_name_plural = _("value triangles")
        ordering = ["case", "-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="triangle_case_created")]

    def __str__(self) -> str:
        return f"{self.case.reference} ({self.created_at:%Y-%m-%d})"


class PlanAgreement(models.Model):
    """One agreement of the support plan: who does what by when (the household, the team, a partner such
    as the housing corporation). Printed in the plan PDF above the signatures; changed only through
    `services.save_agreements`, which replaces the case's list as a whole."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="plan_agreements", verbose_name=_("case")
    )
    who = models.CharField(_("who"), max_length=120, help_text=_("For example: the household, Woonbedrijf."))
    what = models.CharField(_("what"), max_length=300)
    due_date = models.DateField(_("by when"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["case", "order", "id"]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.who} — {self.what}"
