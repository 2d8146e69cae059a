"""The voice-balance indicator as the stories page, a report and the API show it: `maatwerk.lib.voices`'s
arithmetic on the scope's respondents and corpus, with the small groups left out for the protected roles
and the flags in plain Dutch.

A group hidden for a protected audience (fewer than 10 respondents, `source.hidden_groups`) is left out
of everything: of the pool, of the respondents' total and of the shares. Had it stayed in the total, the
total minus the groups shown would give its count. The shown counts are rounded to 5 like the dashboards'
(`insights.disclosure`), so that two overlapping scopes cannot be subtracted exactly either.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from maatwerk.cases.models import RespondentGroup, Tone
from maatwerk.lib import voices as arithmetic
from maatwerk.lib.voices import Balance, Corpus, Item

from .. import disclosure
from ..audience import Audience
from . import source


@dataclass(frozen=True)
class Row:
    group: str
    label: str
    respondents: object  # a count, or disclosure's "<10" marker
    respondent_share: float
    quotes: int
    quote_share: float
    distinct_voices: float
    tones: dict[str, int]


@dataclass(frozen=True)
class Indicator:
    balance: Balance
    rows: list[Row]
    respondents: object  # the total as it may be shown
    hidden: list[str]  # labels of the groups left out
    messages: list[str] = field(default_factory=list)  # the flags, in Dutch

    @property
    def flagged(self) -> bool:
        return bool(self.messages)


def scope(audience: Audience, filters: source.StoryFilters) -> tuple[dict[str, int], set[str], Corpus]:
    """The respondents per group, the groups hidden for this audience, and the corpus (without them) as
    counts: one aggregate, not the corpus's rows (half a million at national scale)."""
    heard = source.respondents(audience, filters)
    hidden = source.hidden_groups(audience, heard)
    counts = (
        source.corpus(audience, filters)
        .exclude(group__in=hidden)
        .aggregate(total=Count("id"), critical=Count("id", filter=Q(tone=Tone.CRITICAL)))
    )
    return heard, hidden, Corpus(counts["total"], counts["critical"])


def build(
    audience: Audience,
    filters: source.StoryFilters,
    shown: list[Item],
    *,
    heard: dict[str, int] | None = None,
    hidden: set[str] | None = None,
    corpus: Corpus | None = None,
) -> Indicator:
    """The indicator for the quotes `shown` (a sample, or a report's selection) in the scope of
    `filters`. Pass what `scope` returned when the caller already has it."""
    if heard is None or hidden is None or corpus is None:
        heard, hidden, corpus = scope(audience, filters)
    groups = [g for g in source.GROUPS if g not in hidden]
    kept = [i for i in shown if i.group not in hidden]
    result = arithmetic.balance(kept, {g: heard[g] for g in groups}, corpus, groups)
    rows = [
        Row(
            group=r.group,
            label=str(RespondentGroup(r.group).label),
            respondents=disclosure.count(audience, r.respondents),
            respondent_share=r.respondent_share,
            quotes=r.quotes,
            quote_share=r.quote_share,
            distinct_voices=r.distinct_voices,
            tones={str(Tone(t).label): n for t, n in sorted(r.tones.items())},
        )
        for r in result.groups
    ]
    return Indicator(
        balance=result,
        rows=rows,
        respondents=disclosure.count(audience, result.respondents),
        hidden=[str(RespondentGroup(g).label) for g in source.GROUPS if g in hidden],
        messages=[describe(flag) for flag in result.flags],
    )


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def describe(flag: arithmetic.Flag) -> str:
    """A flag in plain Dutch (through the catalogue)."""
    group = str(RespondentGroup(flag.group).label) if flag.group else ""
    if flag.code == "missing":
        return _(
            "The %(group)s are %(expected)s of the people heard, but not one of their quotes is in here."
        ) % {"group": group, "expected": _percent(flag.expected)}
    if flag.code == "over":
        return _(
            "The %(group)s have %(shown)s of the quotes but are %(expected)s of the people heard: "
            "their voice weighs too heavily."
        ) % {"group": group, "shown": _percent(flag.shown), "expected": _percent(flag.expected)}
    return _(
        "Only %(shown)s of these quotes are critical, against %(expected)s of all quotes: "
        "the critical voices are missing."
    ) % {"shown": _percent(flag.shown), "expected": _percent(flag.expected)}
