"""Small-cell suppression for published tables (no Django).

The rule
--------
A figure over fewer than ``threshold`` (10) distinct households is not published to the policy and
programme roles, and no published figure may let a reader work such a figure out again.

*Primary suppression.* Every cell, row total, column total or grand total with ``0 < n < threshold``
is hidden and shown as ``"<10"`` (`SMALL`): the reader learns that it lies between 1 and 9, never
that it is 0. The threshold of 10 is the one of CBS's output rules for microdata (remote access),
as issue #12 sets it. A true 0 is shown as 0: an empty cell tells of no household, and the usual
frequency rule does not count it as sensitive (sdcTable's ``allowZeros = FALSE`` default, the
tau-Argus practice). What an empty cell can still tell (that a whole group sits in one category, group
disclosure) is a matter of the table's design, not of this rule. A 0 is never hidden to protect
another cell either: the markers promise a hidden cell is at least 1, and a hidden 0 would break that.

*Secondary (complementary) suppression.* A table is a set of cells and additive relations between
them (each row sums to its row total, each column to its column total, the totals to the grand
total; a one-way table's categories to its total). A hidden cell that is alone in a relation is the
total minus the shown cells, so in every relation that holds a hidden cell at least one more cell is
hidden: the non-zero cell of that relation with the smallest n (least information lost), repeated
until stable. Two hidden cells per relation are not always enough (a chain of rows and columns can
still pin a cell), so the pattern is then audited (`exposed`) the way a reader would attack it: every
``"<10"`` lies in [1, threshold - 1] and every complementary cell (shown as ``"x"``, `HIDDEN`) in
[threshold, grand total]; a hidden cell is exposed when no other whole-number table with the same
published cells and within those bounds gives it another value (two ``"<10"`` cells summing to a
shown 18 are both 9). For every exposed cell one more cell is hidden, cheapest first, until the audit
finds nothing. The audit is exact for additive tables (`_fixed_two_way`: a residual-cycle search, the
same answer as a tau-Argus LP audit but without a solver; the tests check it against an exhaustive
search). Relations whose published total is not the sum of its parts (distinct households counted in
more than one category) are not equations: they still get two hidden cells each, and the audit of
such a table falls back to the linear system (numpy SVD) and interval propagation over the additive
relations, which is weaker than an LP.

*Means and sums.* A cell's mean or sum (`Table.values`) is hidden whenever its n is hidden, so a mean
over fewer than 10 households is never shown (`suppress_value` for a single headline figure).

*Overlapping filters.* Two tables that the same user can see and whose households overlap (all teams
against all teams but X; January-March against January-April) publish their difference: a cell that
differs by between 1 and threshold - 1 reveals a small group. `differencing_cells` finds those cells
of the finer table, to be passed to `suppress(..., also_hide=...)`; `safe_difference` is the same test
for one headline count. That cell rule is not enough on its own (a filtered "x" of at least 10 beside
a published 10 is exactly 10), so `suppress_filtered` also audits a pair of one-way tables together
and hides more, or refuses the filter (None) when nothing more can be hidden. `round_count` rounds
a published count to a base (5), a common practice of statistical offices, so that no difference is
exact.

Which the views use: team leads see their own team unsuppressed. For the policy and programme roles
every table goes through `suppress`; a filtered table whose unfiltered version the same role can see
goes through `suppress_filtered(filtered, suppress(unfiltered))` instead (two-way tables: `suppress`
with ``also_hide=differencing_cells(filtered, unfiltered)``), and headline counts pass
`safe_difference` against their unfiltered headline. `round_count` is for counts that can be
filtered freely outside such a pair (CSV and API downloads with arbitrary filters): there every
shown count is rounded after `suppress`, so no pair of downloads differences exactly.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

THRESHOLD = 10
SMALL = "<10"
HIDDEN = "x"


class _Total:
    """The label of a total row or column (a sentinel, so no category can collide with it)."""

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL = _Total()
Key = Hashable


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts`` (if the counts say so; see `Table.is_additive`)."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Table:
    """Counts of distinct households per cell, margins included, and the relations between them.

    Two-way keys are ``(row, column)`` with `TOTAL` for the margins; one-way keys are the category
    itself and `TOTAL`. ``values`` optionally holds the mean or sum shown in a cell (over its n).
    """

    rows: tuple[Any, ...]
    columns: tuple[Any, ...]  # empty for a one-way table
    n: Mapping[Key, int]
    relations: tuple[Relation, ...]
    values: Mapping[Key, Any] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[Key, ...]:
        return tuple(self.n)

    def is_additive(self, relation: Relation) -> bool:
        return self.n[relation.total] == sum(self.n[p] for p in relation.parts)


def _check_counts(counts: Iterable[int]) -> None:
    for c in counts:
        if int(c) != c or c < 0:
            raise ValueError(f"a count is a whole number of households, not {c!r}")


def two_way(
    rows: Sequence,
    columns: Sequence,
    counts: Sequence[Sequence[int]],
    *,
    values: Sequence[Sequence[Any]] | None = None,
    row_totals: Sequence[int] | None = None,
    column_totals: Sequence[int] | None = None,
    total: int | None = None,
    total_values: Mapping[Key, Any] | None = None,
) -> Table:
    """A rows x columns table; totals default to the sums (pass them when households overlap)."""
    rows, columns = tuple(rows), tuple(columns)
    if len(counts) != len(rows) or any(len(line) != len(columns) for line in counts):
        raise ValueError("counts must have one line per row and one entry per column")
    n: dict[Key, int] = {}
    for i, r in enumerate(rows):
        for j, c in enumerate(columns):
            n[(r, c)] = counts[i][j]
    row_totals = row_totals if row_totals is not None else [sum(line) for line in counts]
    column_totals = (
        column_totals
        if column_totals is not None
        else [sum(line[j] for line in counts) for j in range(len(columns))]
    )
    for i, r in enumerate(rows):
        n[(r, TOTAL)] = row_totals[i]
    for j, c in enumerate(columns):
        n[(TOTAL, c)] = column_totals[j]
    n[(TOTAL, TOTAL)] = total if total is not None else sum(row_totals)
    _check_counts(n.values())
    relations = [Relation((r, TOTAL), tuple((r, c) for c in columns)) for r in rows]
    relations += [Relation((TOTAL, c), tuple((r, c) for r in rows)) for c in columns]
    relations.append(Relation((TOTAL, TOTAL), tuple((r, TOTAL) for r in rows)))
    relations.append(Relation((TOTAL, TOTAL), tuple((TOTAL, c) for c in columns)))
    cell_values: dict[Key, Any] = {}
    if values is not None:
        for i, r in enumerate(rows):
            for j, c in enumerate(columns):
                cell_values[(r, c)] = values[i][j]
    cell_values.update(total_values or {})
    return Table(rows, columns, n, tuple(relations), cell_values)


def one_way(
    categories: Sequence,
    counts: Sequence[int],
    *,
    values: Sequence[Any] | None = None,
    total: int | None = None,
    total_value: Any = None,
) -> Table:
    """Categories with a total (the sum unless given: a household in two categories counts once)."""
    categories = tuple(categories)
    if len(counts) != len(categories):
        raise ValueError("counts must have one entry per category")
    n: dict[Key, int] = dict(zip(categories, counts, strict=True))
    n[TOTAL] = total if total is not None else sum(counts)
    _check_counts(n.values())
    cell_values: dict[Key, Any] = dict(zip(categories, values, strict=True)) if values is not None else {}
    if total_value is not None:
        cell_values[TOTAL] = total_value
    return Table(categories, (), n, (Relation(TOTAL, categories),), cell_values)


@dataclass(frozen=True)
class Suppressed:
    """A table as it may be published: `display` and `value` give what a reader sees."""

    table: Table
    threshold: int
    primary: frozenset
    secondary: frozenset
    # Cells the audit could still pin down when nothing was left to hide (empty in every case we know).
    exposed: frozenset = frozenset()

    @property
    def hidden(self) -> frozenset:
        return self.primary | self.secondary

    @property
    def n_primary(self) -> int:
        return len(self.primary)

    @property
    def n_secondary(self) -> int:
        return len(self.secondary)

    def display(self, key: Key) -> int | str:
        if key in self.primary:
            return SMALL if self.threshold == THRESHOLD else f"<{self.threshold}"
        if key in self.secondary:
            return HIDDEN
        return self.table.n[key]

    def value(self, key: Key) -> Any:
        """The cell's mean or sum, or None when its n is hidden (or it has none)."""
        return None if key in self.hidden else self.table.values.get(key)

    def grid(self) -> list[list[int | str]]:
        """Rows of displayed counts, the total column last and the total row last."""
        t = self.table
        if not t.columns:
            return [[self.display(c) for c in (*t.rows, TOTAL)]]
        return [[self.display((r, c)) for c in (*t.columns, TOTAL)] for r in (*t.rows, TOTAL)]


def _bounds(table: Table, primary, secondary, threshold: int) -> dict[Key, tuple[float, float]]:
    hidden = primary | secondary
    upper = float("inf") if _grand_total(table) in hidden else float(table.n[_grand_total(table)])
    bounds = {}
    for key, count in table.n.items():
        if key in primary:
            bounds[key] = (1.0, float(threshold - 1))
        elif key in secondary:
            bounds[key] = (float(threshold), upper)
        else:
            bounds[key] = (float(count), float(count))
    return bounds


def _grand_total(table: Table) -> Key:
    return (TOTAL, TOTAL) if table.columns else TOTAL


def _propagate(table: Table, relations, bounds: dict) -> dict:
    """Tighten every interval through the relations until nothing changes."""
    bounds = dict(bounds)
    for _ in range(50 * (len(bounds) + 1)):
        changed = False
        for rel in relations:
            t_lo, t_hi = bounds[rel.total]
            new = {
                rel.total: (
                    max(t_lo, sum(bounds[p][0] for p in rel.parts)),
                    min(t_hi, sum(bounds[p][1] for p in rel.parts)),
                )
            }
            for p in rel.parts:
                # Sums over the other parts, not the total sum minus this part: inf - inf is nan.
                others_lo = sum(bounds[q][0] for q in rel.parts if q != p)
                others_hi = sum(bounds[q][1] for q in rel.parts if q != p)
                p_lo, p_hi = bounds[p]
                new[p] = (max(p_lo, t_lo - others_hi), min(p_hi, t_hi - others_lo))
            for key, (lo, hi) in new.items():
                if (lo, hi) != bounds[key]:
                    bounds[key] = (lo, hi)
                    changed = True
        if not changed:
            break
    return bounds


def _linearly_determined(table: Table, relations, hidden: frozenset) -> set:
    unknowns = sorted(hidden, key=list(table.n).index)
    if not unknowns:
        return set()
    index = {k: i for i, k in enumerate(unknowns)}
    lines = []
    for rel in relations:
        line = np.zeros(len(unknowns))
        for key, sign in ((rel.total, 1.0), *((p, -1.0) for p in rel.parts)):
            if key in index:
                line[index[key]] += sign
        if line.any():
            lines.append(line)
    if not lines:
        return set()
    a = np.array(lines)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9 * max(1.0, s[0])).sum())
    null = vt[rank:].T  # columns span the directions the hidden cells can move in together
    return {k for k in unknowns if null.shape[1] == 0 or np.abs(null[index[k]]).max() < 1e-9}


def _slack(table: Table, bounds: dict, key: Key) -> tuple[bool, bool]:
    """Whether the cell could be one higher, one lower, as far as its marker says."""
    lo, hi = bounds[key]
    return table.n[key] < hi, table.n[key] > lo


def _fixed_two_way(table: Table, hidden: frozenset, bounds: dict) -> set:
    """Hidden cells of an additive two-way table that no other table with the same display allows.

    Give the margins a minus sign and the grand total a plus: every row and column of the table with
    its margins then sums to 0, and another table with the same published cells differs from the true
    one by a circulation over the hidden cells. Such a difference splits into simple alternating
    cycles (row, column, row, ...), each of which can be applied alone within the bounds, so a hidden
    cell can take another value exactly when a cycle through it can move it by one: a path back in
    the residual graph (row -> column where a cell can go up, column -> row where it can go down).
    Integral data on this network matrix make that exact, not a relaxation.
    """
    up_edges: dict[Any, list[tuple[Any, Key]]] = {}
    for key in hidden:
        r, c = key
        can_up, can_down = _slack(table, bounds, key)
        if (r is TOTAL) != (c is TOTAL):  # a margin: its sign is minus, so its slack turns round
            can_up, can_down = can_down, can_up
        if can_up:
            up_edges.setdefault(("row", r), []).append((("col", c), key))
        if can_down:
            up_edges.setdefault(("col", c), []).append((("row", r), key))

    def path(start, goal, without: Key) -> bool:
        seen, todo = {start}, [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            for nxt, key in up_edges.get(node, ()):
                if key != without and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    fixed = set()
    for key in hidden:
        r, c = key
        row, col = ("row", r), ("col", c)
        goes_up = any(k == key for _, k in up_edges.get(row, ())) and path(col, row, key)
        goes_down = any(k == key for _, k in up_edges.get(col, ())) and path(row, col, key)
        if not (goes_up or goes_down):
            fixed.add(key)
    return fixed


def _fixed_one_way(table: Table, hidden: frozenset, bounds: dict) -> set:
    """Hidden cells of an additive one-way table: a part moves only if another part or the total follows."""
    (rel,) = table.relations
    slack = {k: _slack(table, bounds, k) for k in hidden}
    fixed = set()
    for key in hidden:
        others = [k for k in hidden if k != key]
        if key == rel.total:
            movable = any(slack[k][0] and slack[key][0] or slack[k][1] and slack[key][1] for k in others)
        else:
            up, down = slack[key]

            def follows(k, key_up):  # the part goes up: another part goes down or the total up
                k_up, k_down = slack[k]
                same = k_up if key_up else k_down
                opposite = k_down if key_up else k_up
                return same if k == rel.total else opposite

            movable = (up and any(follows(k, True) for k in others)) or (
                down and any(follows(k, False) for k in others)
            )
        if not movable:
            fixed.add(key)
    return fixed


def exposed(table: Table, primary, secondary, threshold: int = THRESHOLD) -> set:
    """Hidden cells a reader can work out exactly from the published cells (see the module doc)."""
    primary, secondary = frozenset(primary), frozenset(secondary)
    hidden = primary | secondary
    bounds = _bounds(table, primary, secondary, threshold)
    if all(table.is_additive(rel) for rel in table.relations):
        if table.columns:
            return _fixed_two_way(table, hidden, bounds)
        return _fixed_one_way(table, hidden, bounds)
    relations = [rel for rel in table.relations if table.is_additive(rel)]
    found = _linearly_determined(table, relations, hidden)
    bounds = _propagate(table, relations, bounds)
    found |= {k for k in hidden if bounds[k][0] == bounds[k][1]}
    return found


def suppress(table: Table, threshold: int = THRESHOLD, *, also_hide: Iterable[Key] = ()) -> Suppressed:
    """Hide every cell over 1..threshold-1 households and enough others that none can be recovered.

    ``also_hide`` names cells to hide as well (`differencing_cells`); those over at least
    ``threshold`` households are shown as `HIDDEN`, like the complementary cells.
    """
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    order = {k: i for i, k in enumerate(table.n)}
    primary = {k for k, c in table.n.items() if 0 < c < threshold}
    secondary = {k for k in also_hide if table.n[k] >= threshold}
    primary |= {k for k in also_hide if 0 < table.n[k] < threshold}

    def hide_cheapest(candidates) -> bool:
        open_ = [k for k in candidates if k not in primary and k not in secondary and table.n[k] > 0]
        if not open_:
            return False
        secondary.add(min(open_, key=lambda k: (table.n[k], order[k])))
        return True

    while True:
        changed = True
        while changed:  # every relation holding a hidden cell holds at least two
            changed = False
            for rel in table.relations:
                if sum(k in primary or k in secondary for k in rel.members) == 1:
                    changed |= hide_cheapest(rel.members)
        leaks = exposed(table, primary, secondary, threshold)
        if not leaks:
            return Suppressed(table, threshold, frozenset(primary), frozenset(secondary))
        # One more cell of a relation through the first exposed cell; when those relations hold
        # nothing left to hide, the exposure runs through other relations (a chain of rows and
        # columns), so the cheapest cell of any relation that holds a hidden cell.
        key = min(leaks, key=order.__getitem__)
        progress = any(hide_cheapest(rel.members) for rel in table.relations if key in rel.members)
        if not progress:
            touched = {
                k for rel in table.relations if _holds_hidden(rel, primary, secondary) for k in rel.members
            }
            progress = hide_cheapest(sorted(touched, key=order.__getitem__))
        if not progress:
            return Suppressed(table, threshold, frozenset(primary), frozenset(secondary), frozenset(leaks))


def _holds_hidden(rel: Relation, primary, secondary) -> bool:
    return any(k in primary or k in secondary for k in rel.members)


def suppress_value(n: int, value: Any, threshold: int = THRESHOLD) -> Any:
    """A single mean or sum over n households: the value, `SMALL` below the threshold, 0 for no one."""
    if n <= 0:
        return None
    return value if n >= threshold else SMALL


def safe_difference(n_a: int, n_b: int, threshold: int = THRESHOLD) -> bool:
    """Whether two published counts of overlapping groups may both be shown.

    Their difference is itself a count (the households one filter adds or removes); it must be 0 or
    at least ``threshold``.
    """
    d = abs(n_a - n_b)
    return d == 0 or d >= threshold


def differencing_cells(finer: Table, coarser: Table, threshold: int = THRESHOLD) -> set:
    """Cells of ``finer`` whose difference from the same cell of ``coarser`` is 1..threshold-1.

    ``coarser`` is a table the same user can see over a superset (or subset) of the households, with
    the same keys where they meet (all teams against one team fewer, a longer period). Pass the result
    as ``suppress(finer, also_hide=...)``: the difference is then never published exactly, because
    the finer table hides those cells and the complementary cells that protect them.
    """
    return {
        k for k, c in finer.n.items() if k in coarser.n and not safe_difference(c, coarser.n[k], threshold)
    }


def suppress_filtered(finer: Table, coarser: Suppressed) -> Suppressed | None:
    """Suppress a filtered table against the coarser one the same user sees; None: do not show it.

    ``finer`` counts a subset of the households of ``coarser`` (one team fewer, a shorter period),
    ``coarser`` is what was published of the coarser table. First the cells that differ by 1 to
    threshold - 1 are hidden (`differencing_cells`). For one-way tables the two are then audited
    together, exactly: the households left out form a second row under the finer table, with the
    coarser table as its column totals, and a reader knows that row only to be non-negative. While
    that joint table pins a small cell of the households left out, or a hidden cell of either
    table, one more cell of the finer table is hidden (its cell in the same category first). When
    nothing is left to hide and a cell is still pinned (every other cell of the finer table is 0),
    the answer is None: the filter is refused. Two-way pairs get the cell rule only; a joint audit
    of those is a three-way table, which this module does not audit.
    """
    threshold = coarser.threshold
    also_hide = set(differencing_cells(finer, coarser.table, threshold))
    while True:
        result = suppress(finer, threshold, also_hide=also_hide)
        additive = all(t.is_additive(rel) for t in (finer, coarser.table) for rel in t.relations)
        if finer.columns or coarser.table.columns or not additive:
            return result
        pinned = _pinned_together(result, coarser)
        if not pinned:
            return result
        category = min(pinned, key=lambda k: repr(k[1]))[1]
        shown = [k for k in finer.n if k not in result.hidden and finer.n[k] > 0]
        if not shown:
            return None
        also_hide.add(category if category in shown else min(shown, key=lambda k: (finer.n[k], repr(k))))


def _pinned_together(finer: Suppressed, coarser: Suppressed) -> set:
    t = finer.threshold
    categories = finer.table.rows
    if coarser.table.rows != categories:
        raise ValueError("the two tables must have the same categories")
    rest = [coarser.table.n[c] - finer.table.n[c] for c in categories]
    rest_total = coarser.table.n[TOTAL] - finer.table.n[TOTAL]
    if min(rest, default=0) < 0 or rest_total < 0:
        raise ValueError("the finer table must count a subset of the coarser table's households")
    counts = [[finer.table.n[c] for c in categories], rest]
    joint = two_way(["finer", "rest"], categories, counts, row_totals=[finer.table.n[TOTAL], rest_total])
    top = float("inf") if TOTAL in coarser.hidden else float(coarser.table.n[TOTAL])

    def marker(result: Suppressed, key: Key) -> tuple[float, float]:
        if key in result.primary:
            return (1.0, float(t - 1))
        if key in result.secondary:
            return (float(t), top)
        return (float(result.table.n[key]),) * 2

    bounds = {}
    for c in (*categories, TOTAL):
        bounds[("finer", c)] = marker(finer, c)
        bounds[("rest", c)] = (0.0, top)
        bounds[(TOTAL, c)] = marker(coarser, c)
    unknown = frozenset(k for k, (lo, hi) in bounds.items() if lo < hi)
    fixed = _fixed_two_way(joint, unknown, bounds)
    return {
        k
        for k in fixed
        if (k[0] == "rest" and 0 < joint.n[k] < t)
        or (k[0] == "finer" and k[1] in finer.hidden)
        or (k[0] is TOTAL and k[1] in coarser.hidden)
    }


def round_count(n: int, base: int = 5) -> int:
    """Round a published count to the nearest multiple of ``base`` (halves up); never 0 for n > 0.

    Apply it after `suppress` to the counts still shown (they are at least the threshold, so they stay
    at least ``base``): then any two published counts differ by a multiple of ``base`` and the true
    difference is known only to within ``base - 1`` either way.
    """
    if n < 0 or int(n) != n:
        raise ValueError(f"a count is a whole number of households, not {n!r}")
    if base < 1:
        raise ValueError("the base is at least 1")
    if n == 0:
        return 0
    return max(base, (int(n) + base // 2) // base * base)
