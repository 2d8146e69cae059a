"""Forms parse input; the services validate the domain rules (maatwerk.forms.add_service_errors puts a
service's ValidationError on the fields it names). Bounds come from maatwerk.validation."""

from django import forms
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maatwerk.forms import DateInput, NLDSFormMixin
from maatwerk.validation import MAX_SEARCH, MAX_TEXT, column_length, parse_search

from .models import (
    Agency,
    Case,
    Conversation,
    Household,
    LifeDomain,
    MdtParticipant,
    Moment,
    Outcome,
    Person,
    Reflection,
    RespondentGroup,
    Status,
    Theme,
    TimeEntry,
    Tone,
    Voice,
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


def theme_choices() -> list[tuple[int, str]]:
    """The active themes, in the administrator's order, in the reader's language where it has a name."""
    english = (get_language() or "").startswith("en")
    return [
        (pk, (name_en if english and name_en else name))
        for pk, name, name_en in Theme.objects.filter(active=True).values_list("pk", "name", "name_en")
    ]


def theme_field(label, help_text="") -> forms.TypedMultipleChoiceField:
    # The choices are read per form (ThemesMixin): the administrator edits the list.
    return forms.TypedMultipleChoiceField(
        label=label,
        choices=(),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class ThemesMixin:
    """Fills every theme field with the active themes (one query per form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = [name for name in self.fields if name.endswith("themes")]
        choices = theme_choices() if names else []
        for name in names:
            self.fields[name].choices = choices


def textarea(label, *, rows=2, required=False, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=MAX_TEXT,
        help_text=help_text,
    )


class CloseForm(ThemesMixin, Form):
    goal_reached = forms.ChoiceField(
        label=_("goal reached"), choices=Outcome.GoalReached.choices, widget=forms.RadioSelect
    )
    housing_change = textarea(_("what changed in housing"))
    income_change = textarea(_("what changed in income"))
    work_change = textarea(_("what changed in work"))
    debts_change = textarea(_("what changed in debts"))
    grade = forms.IntegerField(label=_("client grade"), required=False, help_text=_("1 to 10; optional."))
    quote = textarea(_("client quote"))
    quote_consent = forms.BooleanField(
        label=_("client consents to using the quote"),
        required=False,
        help_text=_(
            "With consent the quote leaves the team only de-identified: names, addresses and numbers are "
            "taken out. After saving you check the de-identified version before anyone else sees it."
        ),
    )
    quote_tone = forms.ChoiceField(
        label=_("tone of the quote"), choices=blank(Tone.choices, "—"), required=False
    )
    quote_themes = theme_field(
        _("themes of the quote"), _("Needed when the client consents: stories are found by theme.")
    )
    doubts = textarea(_("doubts"))
    dilemmas = textarea(_("dilemmas"))
    learning_points = textarea(_("learning points"))
    needs = textarea(Reflection._meta.get_field("needs").verbose_name)
    tone = forms.ChoiceField(
        label=_("tone of your reflection"), choices=Tone.choices, widget=forms.RadioSelect
    )
    share_consent = forms.BooleanField(
        label=Reflection._meta.get_field("share_consent").verbose_name,
        required=False,
        help_text=_(
            "Your doubts, dilemmas, learning points and needs then leave the team only de-identified and "
            "without your name, for the stories and the learning points of professionals. After saving "
            "you check the de-identified version before anyone else sees it."
        ),
    )
    reflection_themes = theme_field(
        _("themes of your reflection"), _("Needed when you share your reflection.")
    )

    def parts(self) -> dict:
        d = self.cleaned_data
        reflection = {k: d.get(k) for k in ("doubts", "dilemmas", "learning_points", "needs", "tone")}
        return {
            "outcome": {
                k: d.get(k)
                for k in ("goal_reached", "housing_change", "income_change", "work_change", "debts_change")
            },
            "feedback": {
                k: d.get(k) for k in ("grade", "quote", "quote_consent", "quote_tone", "quote_themes")
            },
            "reflection": {
                **reflection,
                "share_consent": d.get("share_consent"),
                "themes": d.get("reflection_themes"),
            },
        }


class FollowUpForm(Form):
    back_in_trouble = forms.ChoiceField(label=_("back in trouble"), choices=YES_NO, widget=forms.RadioSelect)
    kept_home = forms.ChoiceField(label=_("kept their home"), choices=YES_NO_NA, required=False)
    kept_job = forms.ChoiceField(label=_("kept their job"), choices=YES_NO_NA, required=False)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    done_on = forms.DateField(label=_("date"), required=False, widget=DateInput())


# --- voices ------------------------------------------------------------------------------------------------


class ReviewVoiceForm(Form):
    """The recorder's check of one voice; prefixed with the voice (several on one page)."""

    shared_text = textarea(
        Voice._meta.get_field("shared_text").verbose_name,
        rows=4,
        required=True,
        help_text=_(
            "The anonymiser's suggestion. Correct it where it took out too much or too little: write "
            "'her son' instead of a tag, never a name."
        ),
    )


class ConversationForm(Form):
    team = forms.TypedChoiceField(label=_("team"), choices=(), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=_("kind of conversation"), choices=Conversation.Kind.choices)
    held_on = forms.DateField(label=_("date"), widget=DateInput())
    context = textarea(
        _("context"), rows=3, required=True, help_text=_("What the conversation was about; no names.")
    )

    def __init__(self, *args, teams=(), municipal=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(t.pk, t.name) for t in teams]
        if municipal:
            choices.insert(0, ("", _("municipal level (policy)")))
        field = self.fields["team"]
        field.choices, field.required = choices, not municipal

    def participants(self) -> dict:
        return {group: self.cleaned_data.get(group) for group in RespondentGroup.values}


# One number field per respondent group, named by the group's code (the service's error keys).
ConversationForm.base_fields.update(
    {
        group.value: forms.IntegerField(
            label=format_lazy(_("participants: {group}"), group=group.label), required=False, min_value=0
        )
        for group in RespondentGroup
    }
)
ConversationForm.base_fields[RespondentGroup.CLIENT].help_text = _(
    "How many people of each group took part, quoted or not; never names."
)


class ConversationVoiceForm(ThemesMixin, Form):
    group = forms.ChoiceField(label=_("respondent group"), choices=RespondentGroup.choices)
    participant = forms.IntegerField(
        label=_("participant number"),
        min_value=1,
        help_text=_(
            "1 for the first person of this group, 2 for the second: two quotes of one person are one voice."
        ),
    )
    role = forms.CharField(
        label=_("role"),
        required=False,
        max_length=column_length(Voice, "role"),
        help_text=_("For example 'debt counsellor at the CAK'; never a name."),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Voice.Kind.choices, initial=Voice.Kind.QUOTE)
    text = textarea(_("text as said"), rows=3, required=True)
    tone = forms.ChoiceField(label=_("tone"), choices=Tone.choices, widget=forms.RadioSelect)
    themes = theme_field(_("themes"))
    consent = forms.BooleanField(
        label=_("consent to use"),
        required=False,
        help_text=_(
            "Record a quote only when the person agreed. It leaves the team only de-identified; you check "
            "the de-identified version next."
        ),
    )
