"""The stories' arithmetic (no Django): a sample of quotes in proportion to who was heard, and the
voice-balance indicator.

The critique this answers: of 104 clients and workers interviewed none was quoted, while ten members of the
project group were quoted at length. So a page of stories is not "the newest twelve" or "the best ones":

- `sample` fills its places per respondent group in proportion to that group's respondents (everyone
  heard, quoted or not), and within a group in proportion to the distinct respondents per tone. Rounding
  is randomised (systematic sampling over the exact quotas), so over many draws each group's expected
  number of places equals its exact share; a group with fewer quotes than its share gives its places to
  the others. A critical voice is always in the sample when the pool has one.
- `balance` is the indicator: per group its share of the respondents against its share of the quotes, the
  effective number of distinct voices (Kish: (sum of quotes per respondent)^2 / sum of squares, so ten
  quotes of one person count as one voice and ten quotes of ten people as ten), the tone mix; and the flags
  a report must show before it leaves: a group with at least MISSING_SHARE of the respondents without a
  quote, a critical share far below the corpus's (below CRITICAL_FACTOR times it), and a group with
  OVER_FACTOR times its share of the quotes.
"""

import math
import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

CRITICAL = "critical"
# A group with at least this share of the respondents and not one quote is missing from the report.
MISSING_SHARE = 0.10
# "Far below the corpus": a report with less than half the corpus's share of critical quotes.
CRITICAL_FACTOR = 0.5
# A group with at least twice its share of the respondents among the quotes, and 20 points more, is
# over-represented (ten project-group members against 104 clients and workers).
OVER_FACTOR = 2.0
OVER_POINTS = 0.20


@dataclass(frozen=True)
class Item:
    """A quote as the arithmetic sees it: its id, who said it (group, respondent key) and its tone."""

    id: int
    group: str
    tone: str
    respondent: str


# --- sampling -------------------------------------------------------------------------------------------


def quotas(weights: Mapping[str, float], capacity: Mapping[str, int], size: int) -> dict[str, float]:
    """The exact (fractional) number of places per key: `size` in proportion to `weights`, none above its
    capacity; what a full key cannot take goes to the others in proportion. Keys with weight 0 get 0."""
    size = min(size, sum(capacity.get(k, 0) for k, w in weights.items() if w > 0))
    open_keys = {k for k, w in weights.items() if w > 0 and capacity.get(k, 0) > 0}
    result = {k: 0.0 for k in weights}
    left = float(size)
    while open_keys and left > 1e-9:
        total = sum(weights[k] for k in open_keys)
        share = {k: left * weights[k] / total for k in open_keys}
        full = {k for k in open_keys if share[k] >= capacity[k] - 1e-9}
        if not full:
            result.update(share)
            break
        for k in full:
            result[k] = float(capacity[k])
            left -= capacity[k]
        open_keys -= full
    return result


def round_systematically(quota: Mapping[str, float], rng: random.Random) -> dict[str, int]:
    """Whole numbers with the quotas' (whole) sum, each the floor or the ceiling of its quota, the ceiling
    with probability equal to the fraction: one random start, then points one apart along the quotas laid
    end to end (systematic sampling). So the expected number is exactly the quota."""
    start = rng.random()
    result, edge = {}, 0.0
    for key in sorted(quota):
        low = edge
        edge += quota[key]
        # Points start, start+1, ... in [low, edge).
        result[key] = max(0, math.ceil(edge - start - 1e-9) - math.ceil(low - start - 1e-9))
    return result


def spread(items: Sequence[Item], k: int, rng: random.Random) -> list[Item]:
    """`k` of the items, as many distinct respondents as possible: one quote per respondent (in random
    order) before anybody's second."""
    by_respondent: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_respondent[item.respondent].append(item)
    queues = list(by_respondent.values())
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    picked: list[Item] = []
    while len(picked) < k and queues:
        for queue in list(queues):
            if len(picked) == k:
                break
            picked.append(queue.pop())
            if not queue:
                queues.remove(queue)
    return picked


def _distinct(items: Sequence[Item]) -> int:
    return len({i.respondent for i in items})


@dataclass(frozen=True)
class Stratum:
    """What the allocation needs to know of the quotes of one group and tone (or of one group, `tone`
    ""): how many there are and of how many distinct respondents."""

    group: str
    tone: str
    items: int
    respondents: int


def strata(pool: Sequence[Item]) -> tuple[list[Stratum], list[Stratum]]:
    """(per group, per group and tone) of a pool held in memory; the stories page counts the cells with
    one GROUP BY and derives the groups with `groups_of`."""
    groups: dict[str, list[Item]] = defaultdict(list)
    cells: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in pool:
        groups[item.group].append(item)
        cells[(item.group, item.tone)].append(item)
    return (
        [Stratum(g, "", len(i), _distinct(i)) for g, i in groups.items()],
        [Stratum(g, t, len(i), _distinct(i)) for (g, t), i in cells.items()],
    )


def groups_of(cells: Sequence[Stratum]) -> list[Stratum]:
    """Per group, from its cells: the quotes summed, and the respondents summed too, which counts a person
    quoted in two tones twice. That is an upper bound of the distinct count, and where it matters no
    more than the lower bound `allocate` puts under the group's weight: in consistent data everybody
    quoted was heard, so a group's respondents are already at least its distinct quoted people (the
    database saves a COUNT DISTINCT over every quote of the scope, 0.4 s at national scale)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cell in cells:
        totals[cell.group][0] += cell.items
        totals[cell.group][1] += cell.respondents
    return [Stratum(g, "", items, people) for g, (items, people) in totals.items()]


def allocate(
    groups: Sequence[Stratum], cells: Sequence[Stratum], respondents: Mapping[str, int], size: int, rng
) -> dict[tuple[str, str], int]:
    """The places per (group, tone): per group in proportion to `respondents` (a group's count raised to
    the distinct respondents of its quotes, who were heard too), within a group per tone in proportion to
    the distinct respondents of that tone, none above what there is. When some cell is critical, at least
    one place is.

    Not more than that: forcing a critical quote into every group that gets a place would make a group of
    one place always critical and the sample more critical than the voices are (measured on the demo: 42 %
    critical against 26 % in the corpus). The guarantee is that critical voices are never left out; their
    share follows the respondents like every other tone's."""
    weights = {g.group: max(respondents.get(g.group, 0), g.respondents) for g in groups}
    places = round_systematically(quotas(weights, {g.group: g.items for g in groups}, size), rng)
    result: dict[tuple[str, str], int] = {}
    for group in sorted(places):
        if not places[group]:
            continue
        mine = [c for c in cells if c.group == group]
        tone_places = round_systematically(
            quotas({c.tone: c.respondents for c in mine}, {c.tone: c.items for c in mine}, places[group]), rng
        )
        result.update({(group, tone): n for tone, n in tone_places.items() if n})
    critical = [c for c in cells if c.tone == CRITICAL and c.items]
    if critical and result and not any(tone == CRITICAL for _group, tone in result):
        # The rounding left every critical quote out: one place of the cell with the most goes to a
        # critical cell, chosen in proportion to its quotes (shares shift by one place; worth it).
        most = max(result, key=lambda key: (result[key], key))
        result[most] -= 1
        if not result[most]:
            del result[most]
        chosen = rng.choices(critical, weights=[c.items for c in critical])[0]
        key = (chosen.group, CRITICAL)
        result[key] = result.get(key, 0) + 1
    return result


def sample(pool: Sequence[Item], respondents: Mapping[str, int], size: int, rng: random.Random) -> list[Item]:
    """`size` items of `pool` (all of them when it is smaller), placed by `allocate` and, within each
    group and tone, spread over distinct respondents (`spread`). For a pool in memory; the stories page
    allocates on the database's counts and fetches only the places' candidates."""
    groups, cells = strata(pool)
    by_cell: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in pool:
        by_cell[(item.group, item.tone)].append(item)
    chosen: list[Item] = []
    for key, n in sorted(allocate(groups, cells, respondents, size, rng).items()):
        chosen += spread(by_cell[key], n, rng)
    rng.shuffle(chosen)
    return chosen


# --- the indicator --------------------------------------------------------------------------------------


def kish(counts: Sequence[int]) -> float:
    """The effective number of distinct voices among quotes counted per respondent: (sum)^2 / sum of
    squares; 0 without quotes."""
    squares = sum(c * c for c in counts)
    return sum(counts) ** 2 / squares if squares else 0.0


@dataclass(frozen=True)
class GroupBalance:
    group: str
    respondents: int
    respondent_share: float
    quotes: int
    quote_share: float
    distinct_voices: float
    tones: dict[str, int]


@dataclass(frozen=True)
class Flag:
    """A reason to look again before a report leaves. `code`: "missing" (a group of at least MISSING_SHARE
    of the respondents has no quote), "critical_low", "over" (a group has far more than its share)."""

    code: str
    group: str = ""
    shown: float = 0.0  # the report's figure (quote share, or critical share)
    expected: float = 0.0  # what it is compared with (respondent share, or the corpus's critical share)


@dataclass(frozen=True)
class Corpus:
    """The quotes a page or report is compared with, as counts: how many, how many of them critical."""

    total: int
    critical: int

    @classmethod
    def of(cls, items: Sequence[Item]) -> "Corpus":
        return cls(len(items), sum(i.tone == CRITICAL for i in items))

    @property
    def critical_share(self) -> float:
        return self.critical / self.total if self.total else 0.0


@dataclass(frozen=True)
class Balance:
    groups: list[GroupBalance]
    respondents: int
    quotes: int
    distinct_voices: float
    critical_share: float
    corpus_critical_share: float
    flags: list[Flag] = field(default_factory=list)


def balance(
    shown: Sequence[Item],
    respondents: Mapping[str, int],
    corpus: "Corpus | Sequence[Item]",
    groups: Sequence[str],
) -> Balance:
    """The indicator for the quotes `shown` (a page or a report) against the `respondents` per group (in
    the order `groups`) and the `corpus` they were chosen from (its counts, or its items)."""
    if not isinstance(corpus, Corpus):
        corpus = Corpus.of(corpus)
    per_group: dict[str, list[Item]] = defaultdict(list)
    for item in shown:
        per_group[item.group].append(item)
    heard = {g: max(respondents.get(g, 0), _distinct(per_group[g])) for g in groups}
    total_heard, total_quotes = sum(heard.values()), len(shown)
    rows = []
    for g in groups:
        items = per_group[g]
        rows.append(
            GroupBalance(
                group=g,
                respondents=heard[g],
                respondent_share=heard[g] / total_heard if total_heard else 0.0,
                quotes=len(items),
                quote_share=len(items) / total_quotes if total_quotes else 0.0,
                distinct_voices=kish(list(Counter(i.respondent for i in items).values())),
                tones=dict(Counter(i.tone for i in items)),
            )
        )
    critical = sum(i.tone == CRITICAL for i in shown) / total_quotes if total_quotes else 0.0
    corpus_critical = corpus.critical_share
    flags = [
        Flag("missing", row.group, row.quote_share, row.respondent_share)
        for row in rows
        if row.respondent_share >= MISSING_SHARE and row.quotes == 0
    ]
    if corpus_critical > 0 and critical < CRITICAL_FACTOR * corpus_critical:
        flags.append(Flag("critical_low", "", critical, corpus_critical))
    flags += [
        Flag("over", row.group, row.quote_share, row.respondent_share)
        for row in rows
        if row.quotes
        and row.quote_share >= OVER_FACTOR * row.respondent_share
        and row.quote_share - row.respondent_share >= OVER_POINTS
    ]
    return Balance(
        groups=rows,
        respondents=total_heard,
        quotes=total_quotes,
        distinct_voices=kish(list(Counter(i.respondent for i in shown).values())),
        critical_share=critical,
        corpus_critical_share=corpus_critical,
        flags=flags,
    )
