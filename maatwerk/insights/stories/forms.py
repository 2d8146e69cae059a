"""The stories' filters: level, period, municipality, team, respondent group, tone, theme and the draw's
seed, kept in the URL like the dashboard's. One form checks them for the pages and the API; as in
`insights.filters.FilterForm` the municipalities and teams offered are only the audience's, so one outside
it is an invalid choice (a Dutch error at the field), never a leak."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import Municipality, Team
from maatwerk.cases.models import RespondentGroup, Theme, Tone

from ..audience import LEVELS, NATION, TEAM, Audience
from ..filters import MonthField
from .source import StoryFilters

MAX_SEED = 2**31


def default_seed(day: datetime.date | None = None) -> int:
    """The draw of the day (20261201 on 1 December 2026): the page is the same all day, for everybody
    with the same filters, so a panel can talk about one sample; "another draw" picks a new seed."""
    day = day or timezone.localdate()
    return day.year * 10_000 + day.month * 100 + day.day


class StoryFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), required=False)
    period_from = MonthField(label=_("Said from (month)"), required=False)
    period_to = MonthField(label=_("up to and including (month)"), required=False)
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    group = forms.ChoiceField(label=_("Respondent group"), required=False)
    tone = forms.ChoiceField(label=_("Tone"), required=False)
    theme = forms.TypedChoiceField(label=_("Theme"), coerce=int, required=False, empty_value=None)
    # Not a filter: which draw of the sample (the same seed and filters give the same quotes).
    seed = forms.IntegerField(
        label=_("Draw"), required=False, min_value=1, max_value=MAX_SEED, widget=forms.HiddenInput
    )

    def __init__(self, data, *, audience: Audience, levels: list[str]):
        super().__init__(data)
        self.audience = audience
        everything = [("", _("all"))]
        self.fields["level"].choices = [(level, LEVELS[level]) for level in levels]
        municipalities = Municipality.objects.order_by("name")
        if audience.municipality_ids is not None:
            municipalities = municipalities.filter(pk__in=audience.municipality_ids)
        teams = Team.objects.select_related("municipality").order_by("municipality__name", "name")
        if audience.team_ids is not None:
            teams = teams.filter(pk__in=audience.team_ids)
        if audience.municipality_ids is not None:
            teams = teams.filter(municipality_id__in=audience.municipality_ids)
        self.fields["municipality"].choices = everything + [(m.pk, m.name) for m in municipalities]
        self.fields["team"].choices = everything + [
            (t.pk, f"{t.name} ({t.municipality.name})" if audience.level == NATION else t.name) for t in teams
        ]
        self.fields["group"].choices = everything + list(RespondentGroup.choices)
        self.fields["tone"].choices = everything + list(Tone.choices)
        self.fields["theme"].choices = everything + [
            (t.pk, t.name) for t in Theme.objects.filter(active=True).order_by("order", "name")
        ]
        if audience.level == TEAM or len(self.fields["municipality"].choices) <= 2:
            # One municipality (or the team's): nothing to choose.
            del self.fields["municipality"]
        if len(levels) < 2:
            del self.fields["level"]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The last month lies before the first month."))
        return data

    @property
    def errors_by_field(self) -> dict[str, list[str]]:
        return {field: [str(e) for e in errs] for field, errs in self.errors.items()}

    def filters(self) -> StoryFilters:
        data = self.cleaned_data
        return StoryFilters(
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
            municipality=data.get("municipality"),
            team=data.get("team"),
            group=data.get("group") or "",
            tone=data.get("tone") or "",
            theme=data.get("theme"),
        )

    def draw_seed(self) -> int:
        return self.cleaned_data.get("seed") or default_seed()
