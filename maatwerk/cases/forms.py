"""Forms parse input; the services validate the domain rules (maatwerk.forms.add_service_errors puts a
service's ValidationError on the fields it names). Bounds come from maatwerk.validation."""

from django import forms
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from maatwerk.forms import DateInput, NLDSFormMixin
from maatwerk.validation import MAX_SEARCH, MAX_TEXT, column_length, parse_search

from .models import (
    Agency,
    Case,
    Household,
    LifeDomain,
    MdtParticipant,
    Moment,
    Outcome,
    Person,
    Status,
    TimeEntry,
    Tone,
)

YES_NO = [("yes", _("yes")), ("no", _("no"))]
YES_NO_NA = [("", _("not applicable")), *YES_NO]
SCORE_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(1, 6)]


ALL = _("all")


def blank(choices, label=ALL):
    return [("", label), *choices]


class CapitalisedLabels:
    """Labels share their msgids with the models' lower-case verbose names; as a label, capitalised.
    Runs before NLDSFormMixin builds (and caches) the bound fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)


class Form(NLDSFormMixin, CapitalisedLabels, forms.Form):
    """The cases app's forms: NL Design System widgets, capitalised labels. Radio and checkbox groups render
    as a fieldset with the label as legend through the shared includes/field.html."""


class CaseFilterForm(Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_SEARCH,
        help_text=_("Household name or case number"),
    )
    status = forms.ChoiceField(label=_("status"), choices=blank(Status.choices), required=False)
    domain = forms.TypedChoiceField(
        label=_("life domain"),
        choices=blank(LifeDomain.choices),
        coerce=int,
        required=False,
        empty_value=None,
    )
    agency = forms.TypedChoiceField(
        label=_("agency"), choices=blank(Agency.choices), coerce=int, required=False, empty_value=None
    )
    worker = forms.TypedChoiceField(
        label=_("lead worker"), choices=(), coerce=int, required=False, empty_value=None
    )
    overdue = forms.BooleanField(label=_("follow-up overdue"), required=False)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = blank([(u.pk, u.get_full_name() or u.username) for u in workers])

    def clean_q(self):
        errors: dict = {}
        q = parse_search(self.cleaned_data.get("q"), errors)
        if errors:
            raise forms.ValidationError(errors["q"])
        return q


class PersonForm(Form):
    first_name = forms.CharField(label=_("first name"), max_length=column_length(Person, "first_name"))
    last_name = forms.CharField(label=_("last name"), max_length=column_length(Person, "last_name"))
    bsn = forms.CharField(
        label=_("BSN"), max_length=20, required=False, help_text=_("Optional; checked with the 11-check.")
    )
    birth_year = forms.IntegerField(label=_("birth year"), required=False)
    role = forms.ChoiceField(label=_("role in the household"), choices=Person.HouseholdRole.choices)


class PersonCorrectionForm(PersonForm):
    reason = forms.CharField(
        label=_("reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
        help_text=_("For example: birth year taken over wrongly from the letter."),
    )


class SituationForm(Form):
    vastloper = forms.CharField(
        label=_("where the system blocks"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        required=False,
        help_text=_("The vastloper: which rule or agency blocks the way."),
    )
    domains = forms.TypedMultipleChoiceField(
        label=_("life domains"),
        choices=LifeDomain.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agencies = forms.TypedMultipleChoiceField(
        label=_("agencies involved"),
        choices=Agency.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_agency = forms.CharField(
        label=_("other agency"), max_length=column_length(Case, "other_agency"), required=False
    )
    goal = forms.CharField(
        label=_("goal of the household"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
        required=False,
        help_text=_("In the household's own words."),
    )


class IntakeForm(SituationForm):
    """A new household, its first person and the case, on one page."""

    name = forms.CharField(
        label=_("household name"),
        max_length=column_length(Household, "name"),
        help_text=_("Usually the family name."),
    )
    first_name = PersonForm.base_fields["first_name"]
    last_name = PersonForm.base_fields["last_name"]
    bsn = PersonForm.base_fields["bsn"]
    birth_year = PersonForm.base_fields["birth_year"]
    role = forms.ChoiceField(
        label=_("role in the household"),
        choices=Person.HouseholdRole.choices,
        initial=Person.HouseholdRole.APPLICANT,
    )

    field_order = ["name", "first_name", "last_name", "bsn", "birth_year", "role"]

    def person(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("first_name", "last_name", "bsn", "birth_year", "role")}

    def situation(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in SituationForm.base_fields}


class MoveForm(Form):
    to = forms.ChoiceField(label=_("new status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
        help_text=_("Needed when the case goes back a step."),
    )


class NoteForm(Form):
    text = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT)


class TimeForm(Form):
    hours = forms.DecimalField(
        label=_("hours"), localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    activity = forms.ChoiceField(label=_("activity"), choices=TimeEntry.Activity.choices)
    day = forms.DateField(label=_("date"), required=False, widget=DateInput())
    description = forms.CharField(
        label=_("description"), max_length=column_length(TimeEntry, "description"), required=False
    )


class ScoresForm(Form):
    # One select per life domain (domain_1 … domain_13) is added below the class.
    moment = forms.ChoiceField(label=_("moment"), choices=Moment.choices)

    def scores(self) -> dict[int, str]:
        return {d.value: self.cleaned_data.get(f"domain_{d.value}") for d in LifeDomain}


# Added to the class (not per instance), so that NLDSFormMixin sees and validates them like any field.
ScoresForm.base_fields.update(
    {
        f"domain_{d.value}": forms.ChoiceField(label=d.label, choices=SCORE_CHOICES, required=False)
        for d in LifeDomain
    }
)


PARTICIPANT_ROWS = 4


class MdtForm(Form):
    question = forms.CharField(
        label=_("question for the consultation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
    )
    held_on = forms.DateField(label=_("date"), widget=DateInput())
    advice = forms.CharField(
        label=_("advice"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )
    decision = forms.CharField(
        label=_("decision"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )
    # The service reports missing or half-filled participants under this name.
    participants = forms.CharField(required=False, widget=forms.HiddenInput)

    def participant_list(self) -> list[dict]:
        return [
            {
                "role": self.cleaned_data.get(f"role_{i}", ""),
                "organisation": self.cleaned_data.get(f"organisation_{i}", ""),
            }
            for i in range(1, PARTICIPANT_ROWS + 1)
        ]


for _i in range(1, PARTICIPANT_ROWS + 1):
    MdtForm.base_fields[f"role_{_i}"] = forms.CharField(
        label=format_lazy(_("participant {n}: role"), n=_i),
        max_length=column_length(MdtParticipant, "role"),
        required=False,
    )
    MdtForm.base_fields[f"organisation_{_i}"] = forms.CharField(
        label=format_lazy(_("participant {n}: organisation"), n=_i),
        max_length=column_length(MdtParticipant, "organisation"),
        required=False,
    )


class CloseForm(Form):
    goal_reached = forms.ChoiceField(
        label=_("goal reached"), choices=Outcome.GoalReached.choices, widget=forms.RadioSelect
    )
    housing_change = forms.CharField(
        label=_("what changed in housing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
    )
    income_change = forms.CharField(
        label=_("what changed in income"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
    )
    work_change = forms.CharField(
        label=_("what changed in work"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
    )
    debts_change = forms.CharField(
        label=_("what changed in debts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
    )
    grade = forms.IntegerField(label=_("client grade"), required=False, help_text=_("1 to 10; optional."))
    quote = forms.CharField(
        label=_("client quote"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )
    quote_consent = forms.BooleanField(label=_("client consents to using the quote"), required=False)
    quote_tone = forms.ChoiceField(
        label=_("tone of the quote"), choices=blank(Tone.choices, "—"), required=False
    )
    doubts = forms.CharField(
        label=_("doubts"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )
    dilemmas = forms.CharField(
        label=_("dilemmas"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )
    learning_points = forms.CharField(
        label=_("learning points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
    )
    tone = forms.ChoiceField(
        label=_("tone of your reflection"), choices=Tone.choices, widget=forms.RadioSelect
    )

    def parts(self) -> dict:
        d = self.cleaned_data
        return {
            "outcome": {
                k: d.get(k)
                for k in ("goal_reached", "housing_change", "income_change", "work_change", "debts_change")
            },
            "feedback": {k: d.get(k) for k in ("grade", "quote", "quote_consent", "quote_tone")},
            "reflection": {k: d.get(k) for k in ("doubts", "dilemmas", "learning_points", "tone")},
        }


class FollowUpForm(Form):
    back_in_trouble = forms.ChoiceField(label=_("back in trouble"), choices=YES_NO, widget=forms.RadioSelect)
    kept_home = forms.ChoiceField(label=_("kept their home"), choices=YES_NO_NA, required=False)
    kept_job = forms.ChoiceField(label=_("kept their job"), choices=YES_NO_NA, required=False)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    done_on = forms.DateField(label=_("date"), required=False, widget=DateInput())
