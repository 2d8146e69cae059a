"""Editor forms: plan parameters, one form per flow (a formset per route), and the value triangle.

Amounts and percentages are typed the Dutch way ("1.234,56", "2,25"); percentages are converted to the
engine's fractions in :mod:`maatwerk.businesscases.editor`.
"""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from maatwerk.catalogue.models import Payer
from maatwerk.forms import DateInput, NLDSFormMixin
from maatwerk.lib import money
from maatwerk.lib.money import MAX_AMOUNT, MAX_HOURLY_RATE
from maatwerk.validation import normalise_typed_amount

from .engine import MAX_HORIZON_MONTHS
from .models import Verdict


def normalise_number(value: str) -> str:
    """ "€ 1.234,56" → "1234.56"; "2,25" → "2.25"; "6.500" → "6500" (Dutch thousands); "2.25" stays: the one
    reading of typed money (`validation.normalise_typed_amount`), here also for percentages."""
    return normalise_typed_amount(value.replace("%", ""))


class DutchDecimalField(forms.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))
        kwargs.setdefault("localize", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_number(value)
        return super().to_python(value)


def percent_field(label, *, required=True, maximum=Decimal("99.99"), help_text="", initial=None):
    return DutchDecimalField(
        label=label,
        required=required,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(maximum)],
        help_text=help_text,
        initial=initial,
    )


def money_field(label, *, required=True, minimum=None, maximum=MAX_AMOUNT, help_text=""):
    # The project's one maximum for money (maatwerk.lib.money); route amounts may be negative (income).
    validators = [MinValueValidator(-maximum if minimum is None else minimum), MaxValueValidator(maximum)]
    return DutchDecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        validators=validators,
        help_text=help_text,
    )


PER_CHOICES = [("once", _("one-off")), ("month", _("per month")), ("year", _("per year"))]


class ParametersForm(NLDSFormMixin, forms.Form):
    horizon_months = forms.IntegerField(
        label=_("Horizon (months)"),
        min_value=1,
        max_value=MAX_HORIZON_MONTHS,
        initial=36,
        widget=forms.NumberInput(attrs={"size": 5}),
        help_text=_("How far ahead costs are counted."),
    )
    discount_rate = percent_field(
        _("Discount rate (%)"),
        initial=Decimal("2.25"),
        help_text=_(
            "Later euros count for less; 2,25 % is the Dutch government's rate for public investments."
        ),
    )
    deadweight = percent_field(
        _("Deadweight (%)"),
        initial=Decimal("0"),
        help_text=_("Share of the avoided cost that would have been avoided anyway, without this plan."),
    )
    optimism_bias = percent_field(
        _("Optimism bias (%)"),
        required=False,
        help_text=_(
            "Leave empty for the default by the weakest confidence grade used: A 0 %, B 15 %, C 40 %."
        ),
    )
    hourly_rate = money_field(
        _("Hourly rate of the team (€)"),
        minimum=Decimal(0),
        maximum=MAX_HOURLY_RATE,
        help_text=_("Hours registered on the case × this rate count as investment."),
    )
    note = forms.CharField(
        label=_("Note with this version"),
        required=False,
        max_length=300,
        help_text=_("Optional: what changed, for the version history."),
    )


class FlowForm(NLDSFormMixin, forms.Form):
    cost_code = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    unit_note = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Description"), max_length=120)
    payer = forms.ChoiceField(label=_("Payer"), choices=Payer.choices, initial=Payer.GEMEENTE)
    amount = money_field(_("Amount (€)"), help_text="")
    quantity = DutchDecimalField(
        label=_("Quantity"),
        max_digits=10,
        decimal_places=2,
        initial=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    per = forms.ChoiceField(label=_("Per"), choices=PER_CHOICES, initial="once")
    start_month = forms.IntegerField(
        label=_("Start month"),
        min_value=0,
        max_value=MAX_HORIZON_MONTHS,
        initial=0,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    months = forms.IntegerField(
        label=_("Months"),
        min_value=1,
        max_value=MAX_HORIZON_MONTHS,
        required=False,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    probability = percent_field(_("Probability (%)"), maximum=Decimal(100), initial=Decimal(100))
    low = money_field(_("Low (€)"), required=False)
    high = money_field(_("High (€)"), required=False)

    def clean(self):
        data = super().clean()
        low, high = data.get("low"), data.get("high")
        if (low is None) != (high is None):
            self.add_error("high" if high is None else "low", _("Give both low and high, or neither."))
        quantity = data.get("quantity")
        if quantity is not None:
            for name in ("amount", "low", "high"):
                value = data.get(name)
                if value is not None and abs(value * quantity) > MAX_AMOUNT:
                    self.add_error(
                        "quantity",
                        _("Amount × quantity may be at most %(max)s.")
                        % {"max": money.format_eur(MAX_AMOUNT)},
                    )
                    break
        return data


FlowFormSet = forms.formset_factory(FlowForm, extra=0, max_num=100, validate_max=True)


class TriangleForm(NLDSFormMixin, forms.Form):
    engagement = forms.CharField(
        label=_("Engagement"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the household and its network want, and what they do themselves."),
    )
    legitimacy = forms.CharField(
        label=_("Legitimacy"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why deviating from the regular route is right here, and on what grounds."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        max_length=200,
        help_text=_("For example Participatiewet art. 35 or the municipality's policy rule."),
    )
    judgement = forms.CharField(
        label=_("Balance"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your weighing of engagement, legitimacy and return together."),
    )
    verdict = forms.ChoiceField(
        label=_("Is the deviation justified?"), choices=Verdict.choices, widget=forms.RadioSelect
    )


class AgreementForm(NLDSFormMixin, forms.Form):
    """One row of the plan's agreements; a row left empty is skipped, a row marked for removal dropped."""

    who = forms.CharField(label=_("who"), max_length=120, required=False)
    what = forms.CharField(label=_("what"), max_length=300, required=False)
    due_date = forms.DateField(label=_("by when"), required=False, widget=DateInput())
    remove = forms.BooleanField(label=_("remove"), required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("who") or data.get("what") or data.get("due_date"))

    def clean(self):
        # A started row needs all three, shown together with the other errors of the page (the service
        # checks the same for the API and any other caller).
        data = super().clean()
        started = any(self.data.get(self.add_prefix(f)) for f in ("who", "what", "due_date"))
        if started and not data.get("remove"):
            for name in ("who", "what", "due_date"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return data


AgreementFormSet = forms.formset_factory(
    AgreementForm, extra=3, max_num=30, absolute_max=30, validate_max=True
)
