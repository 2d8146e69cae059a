"""The stories' filters: level, period, municipality, team, respondent group, tone, theme and the draw's
seed, kept in the URL like the dashboard's. One form checks them for the pages and the API; as in
`insights.filters.FilterForm` the municipalities and teams offered are only the audience's, so one outside
it is an invalid choice (a Dutch error at the field), never a leak."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maatwerk.cases.models import RespondentGroup, Theme, Tone

from ..audience import Audience
from ..filters import EVERYTHING, MonthField, ScopeForm
from .source import StoryFilters

MAX_SEED = 2**31


def default_seed(day: datetime.date | None = None) -> int:
    """The draw of the day (20261201 on 1 December 2026): the page is the same all day, for everybody
    with the same filters, so a panel can talk about one sample; "another draw" picks a new seed."""
    day = day or timezone.localdate()
    return day.year * 10_000 + day.month * 100 + day.day


class StoryFilterForm(ScopeForm):
    period_from = MonthField(label=_("Said from (month)"), required=False)
    group = forms.ChoiceField(label=_("Respondent group"), required=False)
    tone = forms.ChoiceField(label=_("Tone"), required=False)
    theme = forms.TypedChoiceField(label=_("Theme"), coerce=int, required=False, empty_value=None)
    # Not a filter: which draw of the sample (the same seed and filters give the same quotes).
    seed = forms.IntegerField(
        label=_("Draw"), required=False, min_value=1, max_value=MAX_SEED, widget=forms.HiddenInput
    )

    def __init__(self, data, *, audience: Audience, levels: list[str]):
        super().__init__(data, audience=audience, levels=levels)
        self.fields["group"].choices = EVERYTHING + list(RespondentGroup.choices)
        self.fields["tone"].choices = EVERYTHING + list(Tone.choices)
        self.fields["theme"].choices = EVERYTHING + [
            (t.pk, t.name) for t in Theme.objects.filter(active=True).order_by("order", "name")
        ]

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
