"""Forms parse and present; the services validate and decide (their errors are put back on the form)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import Municipality
from maatwerk.forms import NLDSFormMixin

from .models import VariableGroup
from .services import NO_PERSONAL_DATA


class MonthInput(forms.TextInput):
    """A native month picker; it sends "2025-03", which the service reads."""

    input_type = "month"


YES_NO = [("yes", _("yes")), ("no", _("no"))]
TEXT_FIELDS = ("purpose", "question", "period_from", "period_to")


class RequestForm(NLDSFormMixin, forms.Form):
    purpose = forms.CharField(
        label=_("purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            "{} {}", _("What the data is for: the municipalities decide on it."), NO_PERSONAL_DATA
        ),
    )
    question = forms.CharField(
        label=_("research question"), widget=forms.Textarea(attrs={"rows": 3}), help_text=NO_PERSONAL_DATA
    )
    period_from = forms.CharField(
        label=_("first month"), widget=MonthInput, help_text=_("Cases opened from this month.")
    )
    period_to = forms.CharField(
        label=_("last month"), widget=MonthInput, help_text=_("Cases opened up to and including this month.")
    )
    municipalities = forms.MultipleChoiceField(
        label=_("municipalities"),
        widget=forms.CheckboxSelectMultiple,
        # The service says "choose at least one" in its own words, beside the other fields' errors.
        required=False,
        help_text=_("Each municipality decides on its own part."),
    )
    variable_groups = forms.MultipleChoiceField(
        label=_("variable groups"),
        choices=VariableGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Pseudonym, period, household band and size, status and life domains are always included."
        ),
    )
    free_text = forms.ChoiceField(
        label=_("de-identified quotes and notes"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_("Free text only leaves after the anonymiser has removed names, numbers and dates."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].choices = [
            (str(m.pk), m.name) for m in Municipality.objects.order_by("name")
        ]

    def service_arguments(self) -> dict:
        """What the service judges: the parsed values, and where the form already found a field wrong,
        what was sent, so that the service (where the rules live) names every wrong field at once instead
        of the form's "required" first and the service's rules on the next try."""
        cleaned = getattr(self, "cleaned_data", {})
        data = {name: cleaned.get(name, self.data.get(name, "")) for name in TEXT_FIELDS}
        for name in ("municipalities", "variable_groups"):
            data[name] = cleaned.get(name, self.data.getlist(name))
        free_text = cleaned.get("free_text", self.data.get("free_text"))
        data["free_text"] = {"yes": True, "no": False}.get(free_text)
        return data


class DecideForm(NLDSFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("approve")), ("reject", _("reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this purpose does or does not justify releasing your municipality's cases."),
    )

    def __init__(self, *args, part=None, **kwargs):
        # One form per part on the page: the prefix keeps their ids apart.
        super().__init__(*args, prefix=f"part-{part.pk}" if part else None, **kwargs)
