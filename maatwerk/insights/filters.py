"""The dashboard's filters: period, municipality, team, life domain and agency, kept in the URL so a view
can be shared. One form checks them for the page, its CSV files and the API; the choices offered are the
ones the audience may see, so a team or municipality outside it is an invalid choice, not a leak."""

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import Municipality, Team
from maatwerk.cases.models import Agency, LifeDomain

from .audience import LEVELS, NATION, TEAM, Audience

# The extrapolation's new households: by default the programme's own question ("would 300 save...?").
DEFAULT_TO = 300
MAX_TO = 10_000_000
MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
FIRST_YEAR = 2000
EVERYTHING = [("", _("all"))]


@dataclass(frozen=True)
class Filters:
    period_from: datetime.date | None = None  # first day of a month
    period_to: datetime.date | None = None  # first day of a month, inclusive
    municipality: int | None = None
    team: int | None = None
    domain: int | None = None
    agency: int | None = None

    @property
    def by_membership(self) -> bool:
        """A life-domain or agency filter (a case has several; budgets are split by neither)."""
        return bool(self.domain or self.agency)

    @property
    def narrowed(self) -> bool:
        return any((self.period_from, self.period_to, self.municipality, self.team, self.domain, self.agency))


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH.match(value)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12 and FIRST_YEAR <= year <= datetime.date.today().year + 1:
                return datetime.date(year, month, 1)
        raise forms.ValidationError(
            _("Enter a month as year and month, for example 2026-03 (from %(year)s)."),
            params={"year": FIRST_YEAR},
            code="month",
        )


class ScopeForm(forms.Form):
    """Level, period, municipality and team, with the choices the audience may see: what the dashboard
    and the stories filter alike (each adds its own fields)."""

    level = forms.ChoiceField(label=_("Level"), required=False)
    period_from = MonthField(label=_("Cases opened from (month)"), required=False)
    period_to = MonthField(label=_("up to and including (month)"), required=False)
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, audience: Audience, levels: list[str]):
        super().__init__(data)
        self.audience = audience
        self.fields["level"].choices = [(level, LEVELS[level]) for level in levels]
        municipalities = Municipality.objects.order_by("name")
        if audience.municipality_ids is not None:
            municipalities = municipalities.filter(pk__in=audience.municipality_ids)
        teams = Team.objects.select_related("municipality").order_by("municipality__name", "name")
        if audience.team_ids is not None:
            teams = teams.filter(pk__in=audience.team_ids)
        if audience.municipality_ids is not None:
            teams = teams.filter(municipality_id__in=audience.municipality_ids)
        self.fields["municipality"].choices = EVERYTHING + [(m.pk, m.name) for m in municipalities]
        self.fields["team"].choices = EVERYTHING + [
            (t.pk, f"{t.name} ({t.municipality.name})" if audience.level == NATION else t.name) for t in teams
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


class FilterForm(ScopeForm):
    domain = forms.TypedChoiceField(label=_("Life domain"), coerce=int, required=False, empty_value=None)
    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int, required=False, empty_value=None)
    # Not a filter: how many new households the extrapolation panel speaks of.
    to = forms.IntegerField(
        label=_("New households (extrapolation)"), required=False, min_value=1, max_value=MAX_TO
    )

    def __init__(self, data, *, audience: Audience, levels: list[str]):
        super().__init__(data, audience=audience, levels=levels)
        self.fields["domain"].choices = EVERYTHING + list(LifeDomain.choices)
        self.fields["agency"].choices = EVERYTHING + list(Agency.choices)

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
            municipality=data.get("municipality"),
            team=data.get("team"),
            domain=data.get("domain"),
            agency=data.get("agency"),
        )
