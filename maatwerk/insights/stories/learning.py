"""Learning points for professionals: what the workers wrote in their reflections (and said at
conversations), grouped by theme, with counts and two example quotes per theme.

The critique of the programme's evaluation was that the workers' knelpunten existed but were "summarily
described" and all learning points were written for policy makers. So this is its own section with three
parts, each by theme: what professionals learned (learning points), what still chafes (doubts and
dilemmas) and what they need (needs). A theme whose knelpunt is a rule (`Theme.barrier_type`) links to the
barrier register of that type.

For the protected roles the counts go through `insights.disclosure.count` like the dashboards' ("<10"
under ten, else rounded to 5); the themes and their example quotes are shown whatever their count. Hiding
a theme of few workers would protect nothing: its quotes are de-identified, shared with consent, and on
the stories page with that theme's filter anyway; and in a municipality of two dozen workers nearly every
theme has fewer than ten, so the section would be empty for exactly the readers it is written for. What
is protected is the group: with fewer than 10 workers heard in the scope the workers' voices are hidden
(`source.hidden_groups`), here as on the stories page.
"""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, IntegerField, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts import tenancy
from maatwerk.barriers import queries as barrier_queries
from maatwerk.cases.models import RespondentGroup, Theme, Voice

from .. import disclosure
from ..audience import NATION, Audience
from . import draw, source

EXAMPLES = 2
# The newest voices fetched per section and theme, of which the examples are picked (different workers,
# no text twice).
CANDIDATES = 3 * EXAMPLES
# (slug, title, kinds): the three parts, in the order a reflection meeting would take them.
SECTIONS = [
    ("learned", _("What professionals learned"), (Voice.Kind.LEARNING_POINT,)),
    ("chafes", _("What still chafes"), (Voice.Kind.DOUBT, Voice.Kind.DILEMMA)),
    ("needs", _("What they need"), (Voice.Kind.NEED,)),
]
KINDS = [kind for _slug, _title, kinds in SECTIONS for kind in kinds]


@dataclass(frozen=True)
class ThemePoints:
    theme: Theme | None  # None: the voices without a theme
    name: str
    workers: object  # distinct workers, as it may be shown (a count, rounded for the protected roles)
    quotes: object  # voices, likewise
    examples: list[Voice]  # at most EXAMPLES, of different workers, newest first; show `shared_text`
    barrier_url: str = ""  # the barrier register of the theme's type, when the reader may open it


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    themes: list[ThemePoints]


def register_url(user, audience: Audience) -> str:
    """The barrier register this reader may open: the national one for the programme, the municipal one
    for team leads and policy; "" for the others (researchers do not read the register)."""
    if audience.level == NATION and barrier_queries.is_national(user):
        return reverse("barriers:national")
    if tenancy.has_role(user, *barrier_queries.REGISTER_ROLES):
        return reverse("barriers:list")
    return ""


def _barrier_link(register: str, theme: Theme | None) -> str:
    if not register or theme is None or not theme.barrier_type:
        return ""
    return f"{register}?{urlencode({'type': theme.barrier_type})}"


def learning_points(
    audience: Audience, filters: source.StoryFilters, *, register: str = "", hidden: set[str] | None = None
) -> list[Section]:
    """The three parts for the audience and filters (the group filter does not apply: these are the
    workers' voices; tone, theme, period, municipality and team do). `register`: the URL of the barrier
    register the reader may open (`register_url`), "" for no links (a PDF). `hidden`: the groups hidden for
    the audience, when the caller counted them already (see `source.visible`)."""
    workers = dataclasses.replace(filters, group=RespondentGroup.WORKER)
    visible = source.visible(audience, workers, hidden=hidden).filter(kind__in=KINDS)
    # Counted and picked in the database, per section and theme: at national scale the workers' voices
    # are a hundred thousand and more, and the page needs a few figures and two examples per cell.
    links = Voice.themes.through.objects.filter(voice__in=visible.values("pk"))
    if filters.theme:
        # Filtered on one theme, the voices' other themes are not what was asked for.
        links = links.filter(theme_id=filters.theme)
    counts, candidates = _cells(links, "voice__", "voice_id", F("theme_id"))
    if not filters.theme:
        # The services ask for a theme, but a voice may have lost its last one in the admin.
        more = _cells(visible.filter(themes__isnull=True), "", "id", Value(None, output_field=IntegerField()))
        counts.update(more[0])
        candidates.update(more[1])
    themes = {t.pk: t for t in Theme.objects.filter(pk__in={theme for _slug, theme in counts})}
    example_ids = {i for voices in candidates.values() for i in _examples(voices)}
    examples = {v.pk: v for v in draw.with_details(Voice.objects.filter(pk__in=example_ids))}

    def order(key):
        theme, (distinct, _quotes) = themes.get(key[1]), counts[key]
        return (-distinct, theme.order if theme else 0, _name(theme))

    sections = []
    for slug, title, _kinds in SECTIONS:
        points = [
            ThemePoints(
                theme=themes.get(theme_id),
                name=_name(themes.get(theme_id)),
                workers=disclosure.count(audience, counts[key][0]),
                quotes=disclosure.count(audience, counts[key][1]),
                examples=_distinct_texts([examples[i] for i in _examples(candidates[key]) if i in examples]),
                barrier_url=_barrier_link(register, themes.get(theme_id)),
            )
            for key in sorted((k for k in counts if k[0] == slug), key=order)
            for theme_id in [key[1]]
        ]
        sections.append(Section(slug, str(title), points))
    return sections


def _cells(qs, voice: str, voice_id: str, theme):
    """({(section, theme id): (workers, quotes)}, {(section, theme id): the newest (voice id, respondent)})
    of `qs` (voice-theme links with `voice` "voice__", or voices with "" and `theme` a constant)."""
    section = Case(
        *(When(**{f"{voice}kind__in": kinds}, then=Value(slug)) for slug, _title, kinds in SECTIONS),
        output_field=CharField(),
    )
    qs = qs.annotate(section=section, theme_key=theme)
    counts = {
        (row["section"], row["theme_key"]): (row["workers"], row["quotes"])
        for row in qs.values("section", "theme_key")
        .annotate(workers=Count(f"{voice}respondent", distinct=True), quotes=Count(voice_id))
        .order_by()
    }
    newest = Window(
        RowNumber(),
        partition_by=[F("section"), F("theme_key")],
        order_by=[F(f"{voice}said_on").desc(), F(voice_id).desc()],
    )
    candidates: dict[tuple[str, int | None], list[tuple[int, str]]] = defaultdict(list)
    for found, theme_id, slug, respondent in (
        qs.annotate(newest=newest)
        .filter(newest__lte=CANDIDATES)
        .values_list(voice_id, "theme_key", "section", f"{voice}respondent")
        .order_by("newest")
    ):
        candidates[(slug, theme_id)].append((found, respondent))
    return counts, candidates


def _name(theme: Theme | None) -> str:
    return theme.name if theme else str(_("without a theme"))


def _distinct_texts(voices: list[Voice]) -> list[Voice]:
    """At most EXAMPLES of the candidates, no text twice (two workers can write the same sentence)."""
    picked, seen = [], set()
    for voice in voices:
        if voice.shared_text not in seen:
            picked.append(voice)
            seen.add(voice.shared_text)
    return picked[:EXAMPLES]


def _examples(voices: list[tuple[int, str]]) -> list[int]:
    """Candidates for the examples: the newest voices of different workers (two quotes of one worker
    would be one voice twice), a few more than EXAMPLES so that `_distinct_texts` can skip a repeat."""
    picked, seen = [], set()
    for voice_id, respondent in voices:
        if respondent not in seen:
            picked.append(voice_id)
            seen.add(respondent)
        if len(picked) == CANDIDATES:
            break
    return picked
