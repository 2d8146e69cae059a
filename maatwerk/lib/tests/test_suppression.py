"""Suppression tested by attacking it: the reader's attacks are written here apart from the audit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maatwerk.lib import suppression as sup
from maatwerk.lib.suppression import HIDDEN, SMALL, TOTAL

# Counts as dashboards see them: many empty cells, many small ones, some large.
counts = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 80))


@st.composite
def two_way_tables(draw, max_rows=4, max_columns=4):
    r = draw(st.integers(1, max_rows))
    c = draw(st.integers(1, max_columns))
    grid = draw(st.lists(st.lists(counts, min_size=c, max_size=c), min_size=r, max_size=r))
    return sup.two_way([f"r{i}" for i in range(r)], [f"c{j}" for j in range(c)], grid)


@st.composite
def one_way_tables(draw):
    k = draw(st.integers(1, 6))
    return sup.one_way([f"k{i}" for i in range(k)], draw(st.lists(counts, min_size=k, max_size=k)))


tables = st.one_of(two_way_tables(), one_way_tables())


# --- the reader's attacks -------------------------------------------------------------------------


def _known(result):
    return {k: v for k in result.table.n if isinstance(v := result.display(k), int)}


def solve_single_unknowns(result):
    """Subtraction: a relation with one unknown cell gives it; repeat with what was found."""
    known = _known(result)
    while True:
        found = False
        for rel in result.table.relations:
            unknown = [k for k in rel.members if k not in known]
            if len(unknown) != 1:
                continue
            (k,) = unknown
            parts = sum(known[p] for p in rel.parts if p != k)
            known[k] = parts if k == rel.total else known[rel.total] - parts
            found = True
        if not found:
            return {k: v for k, v in known.items() if k in result.hidden}


def linearly_determined(result):
    """Hidden cells whose unit vector is in the row space of the relations over the hidden cells."""
    unknowns = sorted(result.hidden, key=repr)
    if not unknowns:
        return set()
    col = {k: i for i, k in enumerate(unknowns)}
    a = np.zeros((len(result.table.relations), len(unknowns)))
    for i, rel in enumerate(result.table.relations):
        for k in rel.members:
            if k in col:
                a[i, col[k]] += 1 if k == rel.total else -1
    rank = np.linalg.matrix_rank(a)
    determined = set()
    for k in unknowns:
        unit = np.zeros(len(unknowns))
        unit[col[k]] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            determined.add(k)
    return determined


def interval_attack(result):
    """What the markers say ("<10" is 1..9, "x" is at least 10), pushed through the relations."""
    t = result.table
    grand = (TOTAL, TOTAL) if t.columns else TOTAL
    top = t.n[grand] if grand not in result.hidden else 10**9
    lo, hi = {}, {}
    for k in t.n:
        shown = result.display(k)
        if shown == SMALL:
            lo[k], hi[k] = 1, 9
        elif shown == HIDDEN:
            lo[k], hi[k] = 10, top
        else:
            lo[k] = hi[k] = shown
    for _ in range(200):
        before = (dict(lo), dict(hi))
        for rel in t.relations:
            lo[rel.total] = max(lo[rel.total], sum(lo[p] for p in rel.parts))
            hi[rel.total] = min(hi[rel.total], sum(hi[p] for p in rel.parts))
            for p in rel.parts:
                lo[p] = max(lo[p], lo[rel.total] - sum(hi[q] for q in rel.parts if q != p))
                hi[p] = min(hi[p], hi[rel.total] - sum(lo[q] for q in rel.parts if q != p))
        if (lo, hi) == before:
            break
    return lo, hi


def _propagate(relations, lo, hi):
    lo, hi = dict(lo), dict(hi)
    while True:
        before = (dict(lo), dict(hi))
        for rel in relations:
            lo[rel.total] = max(lo[rel.total], sum(lo[p] for p in rel.parts))
            hi[rel.total] = min(hi[rel.total], sum(hi[p] for p in rel.parts))
            for p in rel.parts:
                lo[p] = max(lo[p], lo[rel.total] - sum(hi[q] for q in rel.parts if q != p))
                hi[p] = min(hi[p], hi[rel.total] - sum(lo[q] for q in rel.parts if q != p))
        if any(lo[k] > hi[k] for k in lo):
            return None
        if (lo, hi) == before:
            return lo, hi


def _has_solution(relations, lo, hi):
    narrowed = _propagate(relations, lo, hi)
    if narrowed is None:
        return False
    lo, hi = narrowed
    free = [k for k in lo if lo[k] < hi[k]]
    if not free:
        return all(lo[rel.total] == sum(lo[p] for p in rel.parts) for rel in relations)
    k = min(free, key=lambda k: hi[k] - lo[k])
    for v in range(lo[k], hi[k] + 1):
        if _has_solution(relations, {**lo, k: v}, {**hi, k: v}):
            return True
    return False


def _marker_bounds(shown, cap):
    if shown == SMALL:
        return 1, 9
    if shown == HIDDEN:
        return 10, cap
    return shown, shown


def _unique_values(table, lo, hi):
    """Cells that are not known to the reader (lo < hi) and yet have one possible whole-number value."""
    unique = set()
    for k in table.n:
        if lo[k] == hi[k]:
            continue
        others = (v for v in range(lo[k], hi[k] + 1) if v != table.n[k])
        if not any(_has_solution(table.relations, {**lo, k: v}, {**hi, k: v}) for v in others):
            unique.add(k)
    return unique


def exhaustive_attack(result):
    """Hidden cells with one possible whole-number value, by search (small tables only)."""
    t = result.table
    grand = (TOTAL, TOTAL) if t.columns else TOTAL
    cap = 2 * t.n[grand] + 20  # a hidden grand total is unbounded; other values are not needed here
    bounds = {k: _marker_bounds(result.display(k), cap) for k in t.n}
    return _unique_values(t, {k: b[0] for k, b in bounds.items()}, {k: b[1] for k, b in bounds.items()})


small_counts = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 25))


@st.composite
def small_tables(draw):
    if draw(st.booleans()):
        k = draw(st.integers(1, 4))
        return sup.one_way(range(k), draw(st.lists(small_counts, min_size=k, max_size=k)))
    r, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    grid = draw(st.lists(st.lists(small_counts, min_size=c, max_size=c), min_size=r, max_size=r))
    return sup.two_way(range(r), range(c), grid)


# --- (a) no hidden cell can be recovered ----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_cell_is_recovered_by_subtraction(table):
    result = sup.suppress(table)
    assert solve_single_unknowns(result) == {}


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_cell_is_determined_by_the_linear_system(table):
    result = sup.suppress(table)
    assert linearly_determined(result) == set()


@settings(max_examples=300, deadline=None)
@given(tables)
def test_intervals_from_the_markers_never_shrink_to_one_value(table):
    result = sup.suppress(table)
    lo, hi = interval_attack(result)
    for k in result.hidden:
        assert lo[k] <= table.n[k] <= hi[k], "the markers must not lie about the value"
        assert lo[k] < hi[k], f"{k} recovered as {lo[k]}"
    assert result.exposed == frozenset()


@settings(max_examples=200, deadline=None)
@given(tables)
def test_every_small_cell_is_hidden_and_every_shown_cell_is_its_count(table):
    result = sup.suppress(table)
    for k, n in table.n.items():
        shown = result.display(k)
        if 0 < n < 10:
            assert shown == SMALL and k in result.primary
        elif k in result.secondary:
            assert shown == HIDDEN and n >= 10
        else:
            assert shown == n
    assert result.n_primary == len(result.primary) and result.n_secondary == len(result.secondary)
    assert not result.primary & result.secondary


@settings(max_examples=300, deadline=None)
@given(small_tables())
def test_no_hidden_cell_has_one_possible_value_in_an_exhaustive_search(table):
    result = sup.suppress(table)
    assert exhaustive_attack(result) == set()


@settings(max_examples=300, deadline=None)
@given(small_tables(), st.data())
def test_the_audit_finds_what_the_exhaustive_search_finds_on_any_pattern(table, data):
    # Any hiding pattern, protected or not: the module's audit is exact, not merely cautious.
    primary = frozenset(k for k, n in table.n.items() if 0 < n < 10)
    large = sorted((k for k, n in table.n.items() if n >= 10), key=repr)
    secondary = frozenset(data.draw(st.lists(st.sampled_from(large), unique=True)) if large else [])
    pattern = sup.Suppressed(table, 10, primary, secondary)
    assert sup.exposed(table, primary, secondary) == exhaustive_attack(pattern)


def test_a_chain_of_rows_and_columns_can_pin_a_cell_and_is_then_broken():
    # With the cells a..e hidden, rows 2 and the totals give (1, 2) = 8 + (2, 0) and (2, 0) = 1:
    # every line has two hidden cells and the linear system has freedom, yet (1, 2) is 9.
    table = sup.two_way(range(3), range(3), [[1, 0, 0], [11, 0, 9], [1, 11, 10]])
    chain = sup.Suppressed(
        table,
        10,
        frozenset({(0, 0), (0, TOTAL), (1, 2), (2, 0)}),
        frozenset({(1, 0), (1, TOTAL), (2, 1), (2, 2), (TOTAL, 1), (TOTAL, 2)}),
    )
    assert exhaustive_attack(chain) == {(1, 2), (2, 0)} == sup.exposed(table, chain.primary, chain.secondary)
    assert exhaustive_attack(sup.suppress(table)) == set()


def test_two_small_cells_summing_to_eighteen_are_not_both_nine():
    # Linearly two unknowns in a row are safe, but 9 + 9 = 18 would tell the reader both.
    table = sup.two_way(["a", "b"], ["open", "closed"], [[9, 9], [30, 30]])
    result = sup.suppress(table)
    lo, hi = interval_attack(result)
    assert result.display(("a", TOTAL)) == HIDDEN
    assert all(lo[k] < hi[k] for k in result.hidden)


def test_the_complementary_cell_is_the_smallest_of_its_row():
    table = sup.two_way(["a", "b", "c"], ["x1", "x2", "x3"], [[3, 40, 12], [50, 60, 70], [55, 65, 75]])
    result = sup.suppress(table)
    assert result.primary == {("a", "x1")}
    assert ("a", "x3") in result.secondary and ("a", "x2") not in result.secondary


# --- (b) two overlapping filters -----------------------------------------------------------------

teams = st.lists(st.lists(counts, min_size=3, max_size=3), min_size=2, max_size=5)


@settings(max_examples=300, deadline=None)
@given(teams, st.data())
def test_all_teams_against_all_teams_but_one_reveals_no_small_cell(per_team, data):
    statuses = ["open", "closed", "paused"]
    dropped = data.draw(st.integers(0, len(per_team) - 1))
    coarse = sup.one_way(statuses, [sum(t[j] for t in per_team) for j in range(3)])
    fine_counts = [sum(t[j] for i, t in enumerate(per_team) if i != dropped) for j in range(3)]
    fine = sup.one_way(statuses, fine_counts)
    shown_coarse = sup.suppress(coarse)
    shown_fine = sup.suppress(fine, also_hide=sup.differencing_cells(fine, coarse))
    for k in coarse.n:
        a, b = shown_coarse.display(k), shown_fine.display(k)
        if isinstance(a, int) and isinstance(b, int):
            assert a - b == 0 or a - b >= 10, f"team {dropped} has {a - b} households in {k}"
    assert linearly_determined(shown_fine) == set()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(small_counts, min_size=3, max_size=3), min_size=2, max_size=3), st.data())
def test_both_filters_together_pin_no_small_cell(per_team, data):
    # The two published tables and the team left out form one two-way table: rows "shown" (all
    # teams but X) and "X", the coarser table as its column totals. The reader sees the first row
    # and the totals as published and knows of row X only that it is not negative.
    statuses = ["open", "closed", "paused"]
    dropped = data.draw(st.integers(0, len(per_team) - 1))
    team_x = per_team[dropped]
    rest = [sum(t[j] for i, t in enumerate(per_team) if i != dropped) for j in range(3)]
    coarse = sup.one_way(statuses, [rest[j] + team_x[j] for j in range(3)])
    shown_coarse = sup.suppress(coarse)
    shown_fine = sup.suppress_filtered(sup.one_way(statuses, rest), shown_coarse)
    if shown_fine is None:  # refused: only the coarser table is published
        return
    joint = sup.two_way(["shown", "X"], statuses, [rest, team_x])
    cap = 2 * coarse.n[TOTAL] + 20
    bounds = {}
    for s_ in (*statuses, TOTAL):
        bounds[("shown", s_)] = _marker_bounds(shown_fine.display(s_), cap)
        bounds[("X", s_)] = (0, cap)
        bounds[(TOTAL, s_)] = _marker_bounds(shown_coarse.display(s_), cap)
    pinned = _unique_values(joint, {k: b[0] for k, b in bounds.items()}, {k: b[1] for k, b in bounds.items()})
    assert not {k for k in pinned if 0 < joint.n[k] < 10}, pinned
    hidden = {("shown", k) for k in shown_fine.hidden} | {(TOTAL, k) for k in shown_coarse.hidden}
    assert not pinned & hidden, pinned


def test_a_filter_that_leaves_out_three_households_of_a_ten_table_is_refused():
    # All teams: 1 open, 10 closed, 2 paused; without team X: 0, 10, 0. Hiding the 10s does not help:
    # the filtered closed cell is at least 10 ("x") and at most the published 10, so team X has 3.
    coarse = sup.suppress(sup.one_way(["open", "closed", "paused"], [1, 10, 2]))
    assert sup.suppress_filtered(sup.one_way(["open", "closed", "paused"], [0, 10, 0]), coarse) is None


def test_a_filter_is_shown_when_what_it_leaves_out_is_large_enough():
    coarse = sup.suppress(sup.one_way(["open", "closed"], [40, 60]))
    fine = sup.suppress_filtered(sup.one_way(["open", "closed"], [25, 45]), coarse)
    assert fine is not None and fine.grid() == [[25, 45, 70]]


def test_a_filter_that_leaves_out_a_few_of_one_category_hides_that_category():
    coarse = sup.suppress(sup.one_way(["open", "closed"], [40, 60]))
    fine = sup.suppress_filtered(sup.one_way(["open", "closed"], [37, 45]), coarse)
    assert fine is not None and fine.display("open") == HIDDEN


def test_a_finer_table_that_is_no_subset_is_refused_loudly():
    coarse = sup.suppress(sup.one_way(["open", "closed"], [40, 60]))
    with pytest.raises(ValueError):
        sup.suppress_filtered(sup.one_way(["open", "closed"], [45, 45]), coarse)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(counts, min_size=4, max_size=4), min_size=4, max_size=4))
def test_january_march_against_january_april_reveals_no_small_april_cell(months):
    # months x life domains; the coarser table is the longer period.
    domains = ["work", "housing", "debts", "care"]
    march = sup.one_way(domains, [sum(m[j] for m in months[:3]) for j in range(4)])
    april = sup.one_way(domains, [sum(m[j] for m in months) for j in range(4)])
    shown_april = sup.suppress(april)
    shown_march = sup.suppress_filtered(march, shown_april)
    if shown_march is None:
        return
    for k in april.n:
        a, m = shown_april.display(k), shown_march.display(k)
        if isinstance(a, int) and isinstance(m, int):
            assert sup.safe_difference(a, m)


def test_safe_difference_allows_no_change_and_ten_or_more():
    assert sup.safe_difference(120, 120)
    assert sup.safe_difference(120, 110) and sup.safe_difference(110, 120)
    assert not sup.safe_difference(120, 119)
    assert not sup.safe_difference(120, 111)
    assert sup.safe_difference(5, 3, threshold=2) and not sup.safe_difference(5, 4, threshold=2)


def _preimage(rounded, base, top=400):
    return [n for n in range(top) if sup.round_count(n, base) == rounded]


@settings(max_examples=200, deadline=None)
@given(st.integers(10, 300), st.integers(10, 300), st.sampled_from([5, 10]))
def test_rounded_counts_never_give_an_exact_difference(a, b, base):
    ra, rb = sup.round_count(a, base), sup.round_count(b, base)
    differences = {x - y for x in _preimage(ra, base) for y in _preimage(rb, base)}
    assert a - b in differences and len(differences) > 1


@given(st.integers(0, 10_000), st.sampled_from([3, 5, 10]))
def test_round_count_is_a_multiple_of_the_base_nearby_and_never_zero_for_someone(n, base):
    r = sup.round_count(n, base)
    assert r % base == 0
    assert (r == 0) == (n == 0)
    if n >= base:
        assert abs(r - n) <= base // 2


def test_round_count_rounds_halves_up_and_refuses_nonsense():
    assert [sup.round_count(n) for n in (0, 1, 12, 13, 15, 17, 18)] == [0, 5, 10, 15, 15, 15, 20]
    with pytest.raises(ValueError):
        sup.round_count(-1)
    with pytest.raises(ValueError):
        sup.round_count(3, base=0)


# --- (c) markers, totals, edge tables, means -----------------------------------------------------


def test_a_true_zero_is_shown_as_zero_and_never_hidden_to_protect_another():
    result = sup.suppress(sup.one_way(["a", "b", "c"], [3, 0, 50]))
    assert result.grid() == [[SMALL, 0, HIDDEN, 53]]


def test_totals_match_the_shown_cells_when_nothing_is_hidden():
    table = sup.two_way(["a", "b"], ["x", "y", "z"], [[10, 20, 0], [30, 40, 50]])
    result = sup.suppress(table)
    assert result.hidden == frozenset()
    grid = result.grid()
    assert grid == [[10, 20, 0, 30], [30, 40, 50, 120], [40, 60, 50, 150]]
    assert all(sum(line[:-1]) == line[-1] for line in grid)
    assert [sum(col) for col in zip(*grid[:-1], strict=True)] == grid[-1]


@pytest.mark.parametrize("n", [1, 9])
def test_a_one_by_one_table_below_the_threshold_hides_cell_and_totals(n):
    result = sup.suppress(sup.two_way(["a"], ["x"], [[n]]))
    assert result.grid() == [[SMALL, SMALL], [SMALL, SMALL]]
    assert linearly_determined(result) == set()


def test_a_one_by_one_table_of_zero_shows_zero():
    assert sup.suppress(sup.two_way(["a"], ["x"], [[0]])).grid() == [[0, 0], [0, 0]]


def test_a_row_all_below_the_threshold_is_hidden_with_its_total_protected():
    table = sup.two_way(["a", "b", "c"], ["x", "y"], [[2, 3], [40, 50], [60, 70]])
    result = sup.suppress(table)
    assert result.display(("a", "x")) == SMALL and result.display(("a", "y")) == SMALL
    assert result.display(("a", TOTAL)) == SMALL  # 5 households: a small total is a small cell
    assert solve_single_unknowns(result) == {} and linearly_determined(result) == set()
    lo, hi = interval_attack(result)
    assert all(lo[k] < hi[k] for k in result.hidden)


def test_everything_below_the_threshold_hides_everything():
    table = sup.two_way(["a", "b"], ["x", "y"], [[1, 2], [3, 1]])
    result = sup.suppress(table)
    assert result.n_primary == 9 and result.n_secondary == 0
    assert all(v == SMALL for line in result.grid() for v in line)
    lo, hi = interval_attack(result)
    assert all(lo[k] < hi[k] for k in result.hidden)


def test_a_mean_is_hidden_with_its_count():
    table = sup.two_way(
        ["a", "b"],
        ["x", "y"],
        [[4, 30], [25, 40]],
        values=[[7.1, 8.0], [6.5, 8.4]],
        total_values={(TOTAL, TOTAL): 7.8},
    )
    result = sup.suppress(table)
    assert result.value(("a", "x")) is None
    assert all(result.value(k) is None for k in result.secondary)
    assert result.value((TOTAL, TOTAL)) == 7.8  # the grand total's n is shown
    shown = [k for k in table.values if k not in result.hidden]
    assert all(result.value(k) == table.values[k] for k in shown)


def test_suppress_value_shows_small_for_few_households_and_nothing_for_none():
    assert sup.suppress_value(9, 8.5) == SMALL
    assert sup.suppress_value(10, 8.5) == 8.5
    assert sup.suppress_value(0, None) is None


def test_another_threshold_is_named_in_the_marker():
    result = sup.suppress(sup.one_way(["a", "b"], [3, 20]), threshold=5)
    assert result.grid() == [["<5", HIDDEN, 23]]


def test_counts_must_be_whole_and_not_negative():
    with pytest.raises(ValueError):
        sup.one_way(["a"], [-1])
    with pytest.raises(ValueError):
        sup.two_way(["a"], ["x"], [[1.5]])
    with pytest.raises(ValueError):
        sup.two_way(["a", "b"], ["x"], [[1]])


def test_overlapping_categories_keep_two_hidden_cells_per_line():
    # A household with problems in two domains counts once in the total: the line is no equation.
    table = sup.one_way(["work", "debts", "care"], [4, 30, 40], total=60)
    result = sup.suppress(table)
    assert result.display("work") == SMALL
    assert len(result.hidden) >= 2
