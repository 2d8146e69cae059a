"""What a report shows, built at the moment it is shown or exported: the selected stories read through
`Voice.objects.shared()` (a withdrawn consent is gone at once, nothing of a voice is copied into the
report), the voice-balance indicator on the selection, the learning points and the dashboard's headline
figures, the latter through the dashboard's own code so that the same protection applies.

Nothing personal: a story is its `shared_text` (never `text`), its group, role, tone, themes and month;
the report names its creator by role only.
"""

import datetime
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils import dateformat
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Role
from maatwerk.cases.models import RespondentGroup, Tone, Voice

from ... import audience as audiences
from ... import dashboard
from ...audience import Audience
from ...charts import Figure
from ...models import StoryReport, StorySelection
from ...panels import cases, money, outcomes
from .. import indicator, learning, source
from . import services


@dataclass(frozen=True)
class Story:
    voice_id: int
    text: str  # the voice's shared_text
    group: str
    role: str
    tone: str
    themes: list[str]
    month: datetime.date
    reason: str


@dataclass(frozen=True)
class LearningTheme:
    theme: str
    count: object  # a count, or disclosure's "<10"
    examples: list[str]


@dataclass(frozen=True)
class LearningSection:
    title: str
    themes: list[LearningTheme]


@dataclass
class Content:
    report: StoryReport
    audience: Audience
    stories: list[Story]
    indicator: indicator.Indicator
    unread: list[str]  # flags nobody acknowledged: the report may not leave
    learning: list[LearningSection]
    figures: list[Figure]
    figures_note: str
    creator_role: str
    period: str
    scope: str
    warnings: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.unread)


def _month(day: datetime.date | None) -> str:
    return dateformat.format(day, "F Y") if day else ""


def period_label(report: StoryReport) -> str:
    if report.period_from and report.period_to:
        return _("%(start)s up to and including %(end)s") % {
            "start": _month(report.period_from),
            "end": _month(report.period_to),
        }
    if report.period_from:
        return _("from %(start)s") % {"start": _month(report.period_from)}
    if report.period_to:
        return _("up to and including %(end)s") % {"end": _month(report.period_to)}
    return _("all periods")


def scope_label(report: StoryReport) -> str:
    parts = [str(audiences.LEVELS.get(report.level, report.level))]
    if report.municipality_id:
        parts.append(report.municipality.name)
    if report.team_id:
        parts.append(report.team.name)
    return ", ".join(parts)


def role_at_level(user, level: str) -> str:
    """The user's role at a report's level, which a report shows instead of their name."""
    if user is None:
        return ""
    held = tenancy.roles(user)
    for role, role_level in audiences.STORY_ROLE_LEVEL.items():
        if role_level == level and role in held:
            return str(Role(role).label)
    return ""


def creator_role(report: StoryReport) -> str:
    return role_at_level(report.created_by, report.level)


def acknowledger_role(report: StoryReport) -> str:
    return role_at_level(report.acknowledged_by, report.level)


def learning_points(who: Audience, filters: source.StoryFilters, hidden: set[str]) -> list[LearningSection]:
    """The workers' learning points, knelpunten and needs by theme, with counts and example quotes: the
    stories page's own grouping (`stories.learning`, small themes hidden there), as plain text for the
    report and its files (no links: a file leaves the site). `hidden`: the groups hidden for `who`."""
    return [
        LearningSection(
            section.title,
            [
                LearningTheme(point.name, point.quotes, [voice.shared_text for voice in point.examples])
                for point in section.themes
            ],
        )
        for section in learning.learning_points(who, filters, hidden=hidden)
        if section.themes
    ]


def headline_figures(report: StoryReport, user) -> tuple[list[Figure], str]:
    """A handful of the dashboard's figures for the report's scope, with their intervals and n: built by
    the dashboard (`dashboard.build`, the panels), so rounding and hiding are the dashboard's own."""
    if report.level not in audiences.levels(user):
        return [], _("The dashboard's figures are not available for your role.")
    query = QueryDict(mutable=True)
    query["level"] = report.level
    for key in ("period_from", "period_to"):
        if getattr(report, key):
            query[key] = getattr(report, key).strftime("%Y-%m")
    if report.municipality_id:
        query["municipality"] = str(report.municipality_id)
    if report.team_id:
        query["team"] = str(report.team_id)
    built = dashboard.build(user, query)
    if built.context is None:
        return [], _("The dashboard's figures could not be built for this scope.")
    ctx = built.context
    grades = outcomes.grades(ctx)
    figures = [
        cases.duration(ctx),
        money.business_cases(ctx)[0],
        # The grades' mean and interval are in the caption; the ten counts are too much for a headline.
        Figure(slug=grades.slug, title=grades.title, columns=[], rows=[], caption=grades.caption),
        outcomes.recurrence(ctx),
    ]
    return figures, _(
        "From the dashboard, for the cases opened in the report's period and scope; figures over fewer "
        "than 10 households are hidden for policy and programme."
    )


def build(report: StoryReport, user) -> Content:
    who = services.audience_of(report, user)
    filters, heard, hidden, corpus, shared = services.scope_of(report, who)
    selections = list(
        StorySelection.objects.filter(report=report, voice__in=shared)
        .select_related("voice")
        .prefetch_related("voice__themes")
        .order_by("selected_at", "id")
    )
    voices = [s.voice for s in selections]
    ind = indicator.build(
        who,
        filters,
        source.items(Voice.objects.filter(pk__in=[v.pk for v in voices])),
        heard=heard,
        hidden=hidden,
        corpus=corpus,
    )
    stories = [
        Story(
            voice_id=s.voice.pk,
            text=s.voice.shared_text,
            group=str(RespondentGroup(s.voice.group).label),
            role=s.voice.role,
            tone=str(Tone(s.voice.tone).label),
            themes=[t.name for t in s.voice.themes.all()],
            month=s.voice.said_on.replace(day=1),
            reason=s.reason,
        )
        for s in selections
    ]
    figures, note = headline_figures(report, user)
    return Content(
        report=report,
        audience=who,
        stories=stories,
        indicator=ind,
        unread=services.unread_flags(report, ind),
        learning=learning_points(who, filters, hidden),
        figures=figures,
        figures_note=note,
        creator_role=creator_role(report),
        period=period_label(report),
        scope=scope_label(report),
        warnings=list(ind.messages),
    )
