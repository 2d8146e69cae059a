"""The cost catalogue (kostenoverzicht): national unit costs, municipal overrides and the price index."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import Municipality, User
from maatwerk.lib import money, prices

CODE_PATTERN = r"^[A-Z][A-Z0-9_]{1,59}$"
code_validator = RegexValidator(
    CODE_PATTERN,
    _("Use capital letters, digits and underscores, starting with a letter (for example PW_NORM_ALL)."),
)
MIN_YEAR, MAX_YEAR = 1990, 2100
year_validators = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


class Per(models.TextChoices):
    ONCE = prices.PER_ONCE, _("one-off")
    HOUR = prices.PER_HOUR, _("per hour")
    DAY = prices.PER_DAY, _("per day")
    MONTH = prices.PER_MONTH, _("per month")
    YEAR = prices.PER_YEAR, _("per year")


class Payer(models.TextChoices):
    """Who bears the cost. The values are the words the business-case engine uses for `payer`."""

    GEMEENTE = "gemeente", _("municipality")
    RIJK = "rijk", _("central government")
    BURGER = "burger", _("the household itself")
    WONINGCORPORATIE = "woningcorporatie", _("housing association")
    ZORGVERZEKERAAR = "zorgverzekeraar", _("health insurer")
    WERKGEVER = "werkgever", _("employer")
    DIVERSE = "diverse", _("several parties")


class Domain(models.TextChoices):
    """Life domain or policy area a cost belongs to (coarser than the self-reliance matrix domains)."""

    INKOMEN = "inkomen", _("income")
    FINANCIEN = "financien", _("finances and debts")
    WERK = "werk", _("work and childcare")
    HUISVESTING = "huisvesting", _("housing")
    ZORG = "zorg", _("care and support")
    GEZONDHEID = "gezondheid", _("health")
    JEUGD = "jeugd", _("youth")
    ONDERWIJS = "onderwijs", _("education")
    JUSTITIE = "justitie", _("justice and safety")
    OVERIG = "overig", _("other")


class Confidence(models.TextChoices):
    A = "A", _("A — official")
    B = "B", _("B — researched")
    C = "C", _("C — indication")


# What each grade means; shown as the badge's explanation and in the legend under the table.
CONFIDENCE_HELP = {
    Confidence.A: _(
        "An official rate, norm or tariff from the body that sets it (law, decision, published tariff)."
    ),
    Confidence.B: _("A figure from research or a report that explains how it was calculated."),
    Confidence.C: _(
        "An estimate, a claim in the media or a figure we derived ourselves: use it as an indication only."
    ),
}


class CostItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(code__icontains=text) | Q(name_nl__icontains=text) | Q(name_en__icontains=text))


class CostItem(models.Model):
    """A unit cost with its price year and source. Deactivated when outdated, never deleted."""

    code = models.CharField(_("code"), max_length=60, unique=True, validators=[code_validator])
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    per = models.CharField(_("per"), max_length=10, choices=Per.choices)
    unit_note = models.CharField(
        _("unit"), max_length=100, blank=True, help_text=_("What one unit is, e.g. “per eviction”.")
    )
    year = models.PositiveSmallIntegerField(
        _("price year"), validators=year_validators, help_text=_("The year whose prices the amount is in.")
    )
    payer = models.CharField(_("payer"), max_length=20, choices=Payer.choices)
    domain = models.CharField(_("life domain"), max_length=20, choices=Domain.choices)
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)
    source_url = models.URLField(_("source"), max_length=500)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Outdated items are deactivated, never deleted.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CostItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")
        ordering = ["domain", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="costitem_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="costitem_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Dutch."""
        if (get_language() or "nl").startswith("en") and self.name_en:
            return self.name_en
        return self.name_nl

    @property
    def confidence_help(self) -> str:
        return str(CONFIDENCE_HELP[Confidence(self.confidence)])


class CostOverride(models.Model):
    """A municipality's own amount for a catalogue item (its own tariff or norm), with its own source."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="cost_overrides", verbose_name=_("municipality")
    )
    item = models.ForeignKey(
        CostItem, on_delete=models.PROTECT, related_name="overrides", verbose_name=_("cost item")
    )
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    year = models.PositiveSmallIntegerField(_("price year"), validators=year_validators)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("municipal amount")
        verbose_name_plural = _("municipal amounts")
        ordering = ["municipality__name", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "item"], name="costoverride_unique_item"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="costoverride_amount_not_negative"),
            # Honest numbers: a municipal amount says where it comes from, as a link or in words.
            models.CheckConstraint(condition=~Q(source_url="") | ~Q(note=""), name="costoverride_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} ({self.municipality})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        # The one maximum for money (maatwerk.lib.money), also for the admin form, which uses this clean.
        if self.amount is not None and self.amount > money.MAX_AMOUNT:
            errors["amount"] = _("The amount may be at most %(max)s.") % {
                "max": money.format_eur(money.MAX_AMOUNT)
            }
        if not self.source_url and not self.note:
            errors["source_url"] = _("Give a link to the source, or describe the source in the note.")
        if errors:
            raise ValidationError(errors)


class PriceIndex(models.Model):
    """One year of the consumer price index (CBS CPI all households, annual average, 2015 = 100)."""

    class Status(models.TextChoices):
        FINAL = "definitief", _("final")
        PROVISIONAL = "voorlopig", _("provisional")
        ESTIMATE = "raming", _("estimate")

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=year_validators)
    index = models.DecimalField(_("index (2015 = 100)"), max_digits=8, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.FINAL)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("price index year")
        verbose_name_plural = _("price index")
        ordering = ["year"]
        constraints = [models.CheckConstraint(condition=Q(index__gt=0), name="priceindex_positive")]

    def __str__(self) -> str:
        return f"{self.year}: {self.index}"
