"""The voices a stories page, report or API call may use, and the respondents they are weighed against:
the one place that applies the audience and the filters (as `insights.source` does for the dashboards),
so no page can forget the scope or show a voice that is not shared.

Respondents are everybody heard in the scope and period, quoted or not:
- clients: the households whose case was closed with the client's judgement recorded (Feedback);
- workers: the authors of the reflections written at closing;
- every group: the participants counted at the conversations (interviews, reflection meetings).
A person at two meetings counts twice (the counts are per meeting, never names); the indicator raises a
group's count to the distinct respondents of its quotes where that is more.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from maatwerk.cases.models import Conversation, Feedback, Reflection, RespondentGroup, Voice
from maatwerk.lib import suppression
from maatwerk.lib.voices import Item

from ..audience import Audience

GROUPS = list(RespondentGroup.values)


@dataclass(frozen=True)
class StoryFilters:
    period_from: datetime.date | None = None  # first day of a month
    period_to: datetime.date | None = None  # first day of a month, inclusive
    municipality: int | None = None
    team: int | None = None
    group: str = ""
    tone: str = ""
    theme: int | None = None


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _reach(qs: QuerySet, audience: Audience, filters: StoryFilters, prefix: str = "") -> QuerySet:
    """Rows of the audience's municipalities and teams, narrowed by the municipality and team filters.
    A team lead's reach is their teams: voices of a municipal conversation (no team) are not in it."""
    if audience.municipality_ids is not None:
        qs = qs.filter(**{f"{prefix}municipality_id__in": audience.municipality_ids})
    if audience.team_ids is not None:
        qs = qs.filter(**{f"{prefix}team_id__in": audience.team_ids})
    if filters.municipality:
        qs = qs.filter(**{f"{prefix}municipality_id": filters.municipality})
    if filters.team:
        qs = qs.filter(**{f"{prefix}team_id": filters.team})
    return qs


def _period(qs: QuerySet, filters: StoryFilters, field: str) -> QuerySet:
    if filters.period_from:
        qs = qs.filter(**{f"{field}__gte": filters.period_from})
    if filters.period_to:
        qs = qs.filter(**{f"{field}__lt": _next_month(filters.period_to)})
    return qs


def corpus(audience: Audience, filters: StoryFilters) -> QuerySet:
    """The shared voices in reach and period, whatever their group, tone or theme: what a sample or a
    report is compared with."""
    return _period(_reach(Voice.objects.shared(), audience, filters), filters, "said_on")


def voices(audience: Audience, filters: StoryFilters) -> QuerySet:
    """The shared voices in reach, period, and of the group, tone and theme asked for."""
    qs = corpus(audience, filters)
    if filters.group:
        qs = qs.filter(group=filters.group)
    if filters.tone:
        qs = qs.filter(tone=filters.tone)
    if filters.theme:
        qs = qs.filter(themes=filters.theme)
    return qs


def respondents(audience: Audience, filters: StoryFilters) -> dict[str, int]:
    """Everybody heard per respondent group in reach and period (the group, tone and theme filters do
    not change who was heard). Three queries."""
    closed = {"case__closed_on__isnull": False}
    clients = _period(
        _reach(Feedback.objects.filter(**closed), audience, filters, "case__"), filters, "case__closed_on"
    )
    workers = _period(
        _reach(Reflection.objects.filter(**closed), audience, filters, "case__"), filters, "case__closed_on"
    )
    conversations = _period(_reach(Conversation.objects.all(), audience, filters), filters, "held_on")
    counted = conversations.aggregate(**{g: Sum(field) for g, field in Conversation.GROUP_FIELDS.items()})
    heard = {g: counted[g] or 0 for g in GROUPS}
    heard[RespondentGroup.CLIENT] += clients.aggregate(n=Count("case__household_id", distinct=True))["n"]
    heard[RespondentGroup.WORKER] += workers.aggregate(n=Count("author_id", distinct=True))["n"]
    return heard


def hidden_groups(audience: Audience, heard: dict[str, int]) -> set[str]:
    """The groups whose voices a protected audience (policy, programme, researchers) does not see: fewer
    than 10 respondents in the scope (three team leads of one municipality are three people one knows)."""
    if not audience.protected:
        return set()
    return {g for g, n in heard.items() if n < suppression.THRESHOLD}


def visible(audience: Audience, filters: StoryFilters, *, hidden: set[str] | None = None) -> QuerySet:
    """The shared voices of the filters that this audience may read one by one: without the groups hidden
    for it (fewer than 10 respondents in the scope, for the protected roles; pass `hidden` when the
    caller counted them already: the count is the page's dearest query). Newest first."""
    if hidden is None:
        hidden = hidden_groups(audience, respondents(audience, filters))
    return voices(audience, filters).exclude(group__in=hidden)


def items(qs: QuerySet) -> list[Item]:
    """The voices as the arithmetic of `maatwerk.lib.voices` sees them (no text)."""
    return [Item(*row) for row in qs.values_list("id", "group", "tone", "respondent")]
