"""Forms parse and present; the services validate and decide (their errors are put back on the form)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from maatwerk.cases.models import Agency
from maatwerk.forms import DateInput, MoneyInput, NLDSFormMixin

from .models import CLOSED_STATUSES, BarrierStatus, BarrierType, Decision, Level

NO_PERSONAL_DATA = _("Describe the rule, not the household: no names or BSNs.")


def case_choices(links_or_cases) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(c.pk), f"{c.reference} — {c.household.name}") for c in links_or_cases]


class ServiceForm(NLDSFormMixin, forms.Form):
    """A barrier form; `add_service_errors` (from NLDSFormMixin) puts a service's errors on it."""


class BarrierForm(ServiceForm):
    case = forms.ChoiceField(label=_("case"), required=False, help_text=_("The case this barrier blocks."))
    cost_at_stake = forms.CharField(
        label=_("cost at stake for this case"),
        required=False,
        widget=MoneyInput,
        help_text=_(
            "In euros; only used while the case has no business case. Once it has one, the expected net "
            "benefit of its latest version counts."
        ),
    )
    type = forms.ChoiceField(label=_("type"), choices=[("", "—"), *BarrierType.choices])
    title = forms.CharField(label=_("title"), max_length=200, help_text=NO_PERSONAL_DATA)
    agencies = forms.MultipleChoiceField(
        label=_("agencies involved"),
        choices=Agency.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_agency = forms.CharField(label=_("other agency"), max_length=120, required=False)
    legal_provision = forms.CharField(
        label=_("legal provision"), max_length=200, required=False, help_text=_("For example: art. 30 Awir")
    )
    description = forms.CharField(label=_("description"), widget=forms.Textarea, help_text=NO_PERSONAL_DATA)
    risk = forms.CharField(
        label=_("risk if nothing happens"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example eviction or disconnection."),
    )
    risk_date = forms.DateField(label=_("date of the risk"), required=False, widget=DateInput)
    solution_asked = forms.CharField(
        label=_("solution asked for"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        if cases:
            self.fields["case"].choices = case_choices(cases)
        else:
            del self.fields["case"]
            del self.fields["cost_at_stake"]


class LinkForm(ServiceForm):
    case = forms.ChoiceField(label=_("case"))
    cost_at_stake = BarrierForm.base_fields["cost_at_stake"]

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = case_choices(cases)


class EscalateForm(ServiceForm):
    level = forms.ChoiceField(label=_("level"), choices=[("", "—"), *Level.choices])
    to = forms.CharField(
        label=_("escalated to"),
        max_length=200,
        help_text=_("The organisation or role, for example Landelijk Maatwerkloket."),
    )
    due_date = forms.DateField(label=_("answer due"), widget=DateInput)
    question = forms.CharField(label=_("question"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label=_("reason to escalate further"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only needed while the current step has no answer and its term has not passed yet: "
            "why it cannot wait."
        ),
    )


class AnswerForm(ServiceForm):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea, help_text=NO_PERSONAL_DATA)
    decision = forms.ChoiceField(label=_("decision"), choices=[("", "—"), *Decision.choices])


class CloseForm(ServiceForm):
    status = forms.ChoiceField(
        label=_("status"), choices=[("", "—"), *[(s.value, s.label) for s in CLOSED_STATUSES]]
    )
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejected."),
    )


STATUS_FILTER_CHOICES = [("", _("all")), ("open_all", _("not closed")), *BarrierStatus.choices]
