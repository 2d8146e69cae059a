"""k-anonymity by full-domain generalisation plus suppression, with distinct l-diversity (no Django).

The guarantee
-------------
Let the rows be fed to a `Tally` (pass 1) and then each row's quasi-identifier tuple be passed through
`apply(plan, qi)` (pass 2), with `plan = plan(tally, hierarchies, k=k, l=l)`. Then, over the published rows
(those for which `apply` did not answer None):

* every published quasi-identifier tuple is shared by at least ``k`` published rows (k-anonymity), and
* within every such class, every sensitive attribute takes at least ``l`` distinct values among the rows
  where it is known, or is unknown (None) in all of them (distinct l-diversity over the applicable rows:
  None means "does not apply", e.g. the outcome of a case still open, and discloses nothing; counting it
  as a value would fail every class of open cases, and blank whichever quasi-identifier tells open from
  closed),

provided pass 2 sees the same rows as pass 1 (the caller reads both in one snapshot, and should re-count
what it wrote with a fresh `Tally` and `Tally.check` before it lets the file go). Rows that cannot be
published safely are withheld (None), never published with a weaker guarantee.

How
---
Each quasi-identifier has a `Hierarchy` of levels: level 0 is the value as given, each next level is a
coarser value computed from the one below (month -> quarter -> year), and the last level is ``"*"``. A
*node* of the lattice picks one level per quasi-identifier (full-domain generalisation: every row gets
the same levels, so the published values of one column are all of one granularity). At a node the rows
fall into classes by their generalised tuple; the rows of a class with fewer than ``k`` rows, or with
fewer than ``l`` distinct values of some sensitive attribute, are suppressed: all their quasi-identifiers
become ``"*"``. The suppressed rows form one class of their own, which must itself have ``k`` rows and
``l`` values of each sensitive attribute; if it has not, its rows are withheld (dropped and counted).

`plan` visits every node (the lattices here are small: a few hundred nodes) and keeps the one that loses
the least: a cell published at level j of a hierarchy of height H loses j / (H - 1) of a cell (Sweeney's
precision metric: a month published as its quarter loses less than one published as "*", which loses the
whole cell), a suppressed or withheld row loses one cell per quasi-identifier; among nodes whose
suppressed plus withheld rows stay within ``max_suppression`` (a share of all rows, 5 % by default). Ties
go to the lower sum of levels, then to the lexicographically lower node. (Counting every generalised cell
as one, however coarse, would make "*" as cheap as a quarter, and the search would blank whole columns
that a coarser level would have kept.) When no node keeps within the limit, the top node (everything
``"*"``) is chosen: then all rows are one class, published when it has ``k`` rows and ``l`` values,
withheld otherwise.

Memory: the tally holds one entry per distinct level-0 quasi-identifier tuple (its row count and, per
sensitive attribute, at most ``l`` of its distinct values: enough to decide ``>= l`` after any merge),
not one per row. A node's classes are rolled up from a node one level lower (one step of one hierarchy
applied to the keys of a smaller dictionary), so the search keeps two layers of the lattice at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

SUPPRESSED = "*"
DEFAULT_K = 10  # CBS's threshold for its remote-access environment: no cell of fewer than 10 units.
DEFAULT_L = 2
DEFAULT_MAX_SUPPRESSION = 0.05


@dataclass(frozen=True)
class Hierarchy:
    """A quasi-identifier's levels: `steps[j]` maps a value of level j to its value at level j + 1; the
    level after the last step is ``"*"``. `names` describes each level for the manifest (level 0 first,
    ``"*"`` last); when shorter, the missing names read "level j"."""

    name: str
    steps: tuple[Callable[[Hashable], Hashable], ...] = ()
    names: tuple[str, ...] = ()

    @property
    def height(self) -> int:
        """The number of levels, "*" included."""
        return len(self.steps) + 2

    def level_name(self, level: int) -> str:
        if level == self.height - 1:
            return SUPPRESSED
        return self.names[level] if level < len(self.names) else f"level {level}"

    def generalise(self, value: Hashable, level: int) -> Hashable:
        if level >= self.height - 1:
            return SUPPRESSED
        for step in self.steps[:level]:
            value = step(value)
        return value


class Tally:
    """Pass 1: the count and the (truncated) values of every sensitive attribute of every distinct
    quasi-identifier tuple. With `cap` a class keeps at most `cap` distinct values per attribute, as a
    tuple (`plan` needs only to know whether a class reaches ``l`` values, and small tuples cost a quarter
    of the memory of sets); with ``cap=None`` it keeps them all, as sets, to learn the exact l reached
    (the check of a written file, whose classes are few)."""

    def __init__(self, sensitive: int, cap: int | None):
        self.sensitive = sensitive
        self.cap = cap
        self.rows = 0
        self.classes: dict[tuple, list] = {}

    def add(self, qi: tuple, values: Sequence[Hashable] = ()) -> None:
        if len(values) != self.sensitive:
            raise ValueError(f"expected {self.sensitive} sensitive values, got {len(values)}")
        self.rows += 1
        entry = self.classes.get(qi)
        cap = self.cap
        if entry is None:
            entry = self.classes[qi] = [0, *((() if cap is not None else set()) for _ in values)]
        entry[0] += 1
        for i, value in enumerate(values, 1):
            if value is None:  # does not apply: no value to disclose (see the guarantee)
                continue
            seen = entry[i]
            if cap is None:
                seen.add(value)
            elif len(seen) < cap and value not in seen:
                entry[i] = (*seen, value)

    def check(self, k: int, l: int) -> tuple[int, int]:  # noqa: E741 (the name of the measure)
        """The k and l reached by the rows tallied (0, 0 without rows); raises ValueError when some class
        has fewer than k rows or fewer than l values of a sensitive attribute."""
        if not self.classes:
            return 0, 0
        k_reached = min(entry[0] for entry in self.classes.values())
        l_reached = min((len(s) for entry in self.classes.values() for s in entry[1:] if s), default=l)
        if k_reached < k or l_reached < l:
            raise ValueError(f"k {k_reached} < {k} or l {l_reached} < {l}")
        return k_reached, l_reached


def _diverse(entry: list, l: int) -> bool:  # noqa: E741
    """Whether every sensitive attribute of a class has `l` known values, or none (see the guarantee)."""
    return all(not seen or len(seen) >= l for seen in entry[1:])


def _union(a: tuple, b: tuple, cap: int) -> tuple:
    if len(a) >= cap:
        return a
    out = list(a)
    for value in b:
        if value not in out:
            out.append(value)
            if len(out) >= cap:
                break
    return tuple(out)


def _merge(into: list, entry: list, cap: int) -> None:
    into[0] += entry[0]
    for i in range(1, len(entry)):
        into[i] = _union(into[i], entry[i], cap)


@dataclass
class Plan:
    """The node chosen and what it costs. `passing` holds the generalised tuples published as they are;
    every other row is suppressed (all "*") or, when `withhold_suppressed`, withheld."""

    k: int
    l: int  # noqa: E741
    max_suppression: float
    names: tuple[str, ...]
    levels: tuple[int, ...]
    level_names: tuple[str, ...]
    rows: int
    published: int
    suppressed_rows: int
    withheld_rows: int
    generalised_cells: int
    suppressed_cells: int
    classes: int
    k_reached: int
    within_limit: bool
    withhold_suppressed: bool
    passing: frozenset = field(repr=False)
    hierarchies: tuple[Hierarchy, ...] = field(repr=False)
    _memo: tuple[dict, ...] = field(default=(), repr=False)

    @property
    def changed_cells(self) -> int:
        return self.generalised_cells + self.suppressed_cells

    @property
    def lost_cells(self) -> float:
        """What `plan` minimised: the cells lost, a generalised cell counting the share of its hierarchy
        it climbed."""
        depth = sum(level / (h.height - 1) for h, level in zip(self.hierarchies, self.levels, strict=True))
        lost_rows = self.suppressed_rows + self.withheld_rows
        return (self.rows - lost_rows) * depth + lost_rows * len(self.levels)

    def summary(self) -> dict:
        """The plan as plain JSON values, for a manifest."""
        return {
            "k": self.k,
            "l": self.l,
            "k_reached": self.k_reached,
            "max_suppression": self.max_suppression,
            "quasi_identifiers": list(self.names),
            "levels": dict(zip(self.names, self.levels, strict=True)),
            "level_names": dict(zip(self.names, self.level_names, strict=True)),
            "rows": self.rows,
            "published_rows": self.published,
            "suppressed_rows": self.suppressed_rows,
            "withheld_rows": self.withheld_rows,
            "generalised_cells": self.generalised_cells,
            "suppressed_cells": self.suppressed_cells,
            "lost_cells": round(self.lost_cells, 1),
            "classes": self.classes,
            "within_suppression_limit": self.within_limit,
        }


def _evaluate(classes: dict, levels: tuple[int, ...], k: int, l: int, cap, n_qi: int, sensitive: int):  # noqa: E741
    star = (SUPPRESSED,) * n_qi
    raised = sum(1 for level in levels if level > 0)
    generalised_cells = 0
    passing = []
    failing = [0, *(() for _ in range(sensitive))]
    for key, entry in classes.items():
        if key != star and entry[0] >= k and _diverse(entry, l):
            passing.append(key)
            generalised_cells += entry[0] * raised
        else:
            _merge(failing, entry, cap)
    top = classes.get(star)
    suppressed_rows = failing[0] - (top[0] if top else 0)  # an all-"*" class at the top node is no loss
    withhold = failing[0] > 0 and not (failing[0] >= k and _diverse(failing, l))
    withheld_rows = failing[0] if withhold else 0
    if withhold:
        suppressed_rows = 0
    elif top:
        generalised_cells += top[0] * raised
    return passing, generalised_cells, suppressed_rows, withheld_rows, withhold, failing[0]


def _loss(result, levels: tuple[int, ...], heights: list[int], rows: int, n_qi: int) -> float:
    """The cells a node loses (see the module's docstring): the rows published, each losing the share of
    its cells' heights its levels climb, plus one cell per quasi-identifier of each suppressed or withheld
    row."""
    _, _, suppressed, withheld, _, _ = result
    depth = sum(level / (height - 1) for level, height in zip(levels, heights, strict=True))
    lost_rows = suppressed + withheld
    return (rows - lost_rows) * depth + lost_rows * n_qi


def _roll_up(classes: dict, axis: int, step: Callable, memo: dict, cap) -> dict:
    out: dict[tuple, list] = {}
    for key, entry in classes.items():
        value = key[axis]
        if value not in memo:
            memo[value] = step(value)
        new_key = (*key[:axis], memo[value], *key[axis + 1 :])
        into = out.get(new_key)
        if into is None:
            out[new_key] = list(entry)
        else:
            _merge(into, entry, cap)
    return out


def _star_step(_value):
    return SUPPRESSED


def plan(
    tally: Tally,
    hierarchies: Sequence[Hierarchy],
    *,
    k: int = DEFAULT_K,
    l: int = DEFAULT_L,  # noqa: E741
    max_suppression: float = DEFAULT_MAX_SUPPRESSION,
) -> Plan:
    """The node that loses the least within the suppression limit (see the module's docstring)."""
    if k < 1 or l < 1:
        raise ValueError("k and l must be at least 1")
    if not 0 <= max_suppression <= 1:
        raise ValueError("max_suppression is a share between 0 and 1")
    if tally.cap is not None and tally.cap < l:
        raise ValueError(f"the tally keeps {tally.cap} values per class, fewer than l = {l}")
    n_qi, sensitive, cap = len(hierarchies), tally.sensitive, l
    heights = [h.height for h in hierarchies]
    steps = [(*h.steps, _star_step) for h in hierarchies]
    memos = [[{} for _ in s] for s in steps]
    limit = max_suppression * tally.rows
    best = None  # (cost, levels, evaluation)
    top = tuple(height - 1 for height in heights)
    fallback = None
    # Depth first over a spanning tree of the lattice: a node's parent is the node with its last raised
    # level one lower, so every node is rolled up once and only the path from the bottom (at most the sum
    # of the heights, each a smaller dictionary than the one before) is in memory at once.
    # A child is rolled up only when it is taken from the stack, so each node of the path keeps one
    # dictionary alive and its pending siblings cost a reference to it, not a copy.
    stack: list[tuple] = [(None, tally.classes, 0)]
    while stack:
        parent, classes, axis = stack.pop()
        if parent is None:
            levels = (0,) * n_qi
        else:
            levels = (*parent[:axis], parent[axis] + 1, *parent[axis + 1 :])
            step, memo = steps[axis][parent[axis]], memos[axis][parent[axis]]
            classes = _roll_up(classes, axis, step, memo, cap)
        result = _evaluate(classes, levels, k, l, cap, n_qi, sensitive)
        _, gen_cells, suppressed, withheld, _, _ = result
        cost = (_loss(result, levels, heights, tally.rows, n_qi), sum(levels), levels)
        if suppressed + withheld <= limit and (best is None or cost < best[0]):
            best = (cost, levels, result)
        if levels == top:
            fallback = (cost, levels, result)
        last = max((i for i, level in enumerate(levels) if level), default=0)
        for child_axis in range(n_qi - 1, last - 1, -1):
            if levels[child_axis] + 1 < heights[child_axis]:
                stack.append((levels, classes, child_axis))
    within = best is not None
    _, levels, result = best if within else fallback
    passing, gen_cells, suppressed, withheld, withhold, _ = result
    published = tally.rows - withheld
    sizes = list(_class_sizes(tally, hierarchies, levels, passing))
    star_rows = published - sum(sizes)
    if star_rows:
        sizes.append(star_rows)
    return Plan(
        k=k,
        l=l,
        max_suppression=max_suppression,
        names=tuple(h.name for h in hierarchies),
        levels=tuple(levels),
        level_names=tuple(h.level_name(level) for h, level in zip(hierarchies, levels, strict=True)),
        rows=tally.rows,
        published=published,
        suppressed_rows=suppressed,
        withheld_rows=withheld,
        generalised_cells=gen_cells,
        suppressed_cells=(suppressed + withheld) * n_qi,
        classes=len(sizes),
        k_reached=min(sizes, default=0),
        within_limit=within,
        withhold_suppressed=withhold,
        passing=frozenset(passing),
        hierarchies=tuple(hierarchies),
        _memo=tuple({} for _ in hierarchies),
    )


def _class_sizes(tally: Tally, hierarchies, levels, passing) -> Iterable[int]:
    wanted = set(passing)
    sizes: dict[tuple, int] = {}
    for key, entry in tally.classes.items():
        g = tuple(h.generalise(v, level) for h, v, level in zip(hierarchies, key, levels, strict=True))
        if g in wanted:
            sizes[g] = sizes.get(g, 0) + entry[0]
    return sizes.values()


def generalise(p: Plan, qi: tuple) -> tuple:
    """The quasi-identifiers of one row at the plan's levels (before suppression)."""
    out = []
    for h, memo, value, level in zip(p.hierarchies, p._memo, qi, p.levels, strict=True):
        g = memo.get(value, memo)
        if g is memo:
            g = memo[value] = h.generalise(value, level)
        out.append(g)
    return tuple(out)


def apply(p: Plan, qi: tuple) -> tuple | None:
    """Pass 2: the published quasi-identifiers of a row counted in pass 1, or None when it is withheld."""
    g = generalise(p, qi)
    if g in p.passing:
        return g
    return None if p.withhold_suppressed else (SUPPRESSED,) * len(g)


def lattice_size(hierarchies: Sequence[Hierarchy]) -> int:
    return math.prod(h.height for h in hierarchies)
