"""The guarantee of maatwerk.lib.kanon, checked by counting the published rows directly (not with its own
Tally), for any input hypothesis finds."""

import itertools
from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maatwerk.lib import kanon


def halve(v):
    return v // 2


def parity(v):
    return v % 2


HIERARCHIES = (
    kanon.Hierarchy("a", (halve, halve), ("exact", "half", "quarter")),
    kanon.Hierarchy("b", (parity,)),
    kanon.Hierarchy("c"),
)


def run(rows, k, l, max_suppression=0.05):  # noqa: E741
    tally = kanon.Tally(2, l)
    for qi, sensitive in rows:
        tally.add(qi, sensitive)
    p = kanon.plan(tally, HIERARCHIES, k=k, l=l, max_suppression=max_suppression)
    published = [(kanon.apply(p, qi), sensitive) for qi, sensitive in rows]
    return p, [(g, s) for g, s in published if g is not None]


def classes(published):
    out = defaultdict(list)
    for g, s in published:
        out[g].append(s)
    return out


rows_strategy = st.lists(
    st.tuples(
        st.tuples(st.integers(0, 7), st.integers(0, 5), st.sampled_from("xyz")),
        st.tuples(st.sampled_from(["yes", "no", None]), st.integers(0, 3)),
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(
    rows=rows_strategy, k=st.integers(1, 12), l=st.integers(1, 3), limit=st.sampled_from([0, 0.05, 0.3, 1])
)  # noqa: E741
def test_published_rows_are_k_anonymous_and_l_diverse(rows, k, l, limit):  # noqa: E741
    p, published = run(rows, k, l, limit)
    for members in classes(published).values():
        assert len(members) >= k
        for attribute in range(2):
            known = {s[attribute] for s in members if s[attribute] is not None}
            assert not known or len(known) >= l
    # The plan's account adds up to what apply did.
    assert p.rows == len(rows)
    assert p.published == len(published) == len(rows) - p.withheld_rows
    star = ("*",) * 3
    assert sum(1 for g, _ in published if g == star) >= p.suppressed_rows
    if p.within_limit:
        assert p.suppressed_rows + p.withheld_rows <= limit * len(rows)
    if published:
        assert p.k_reached == min(Counter(g for g, _ in published).values())


@settings(max_examples=100, deadline=None)
@given(rows=rows_strategy, k=st.integers(1, 6))
def test_the_plan_loses_no_more_than_any_node_within_the_limit(rows, k):
    tally = kanon.Tally(2, 2)
    for qi, sensitive in rows:
        tally.add(qi, sensitive)
    p = kanon.plan(tally, HIERARCHIES, k=k, l=2, max_suppression=0.3)
    if not p.within_limit:
        return
    # Brute force over every node: count the classes and the cells changed from the raw rows.
    for levels in itertools.product(*(range(h.height) for h in HIERARCHIES)):
        groups = defaultdict(list)
        for qi, s in rows:
            groups[
                tuple(h.generalise(v, lv) for h, v, lv in zip(HIERARCHIES, qi, levels, strict=True))
            ].append(s)
        depth = sum(lv / (h.height - 1) for h, lv in zip(HIERARCHIES, levels, strict=True))
        star = ("*",) * 3

        def safe(members):
            known = [{s[a] for s in members if s[a] is not None} for a in range(2)]
            return len(members) >= k and all(not values or len(values) >= 2 for values in known)

        ok = {g for g, m in groups.items() if g != star and safe(m)}
        rest = [s for g, m in groups.items() if g not in ok for s in m]
        if not rest or safe(rest):
            lost = len(rest) - len(groups.get(star, []))
        else:
            lost = len(rest)
        # A published row loses the share of each hierarchy its level climbs; a lost row all 3 cells.
        loss = (len(rows) - lost) * depth + lost * 3
        if lost <= 0.3 * len(rows):
            assert p.lost_cells <= loss + 1e-9, levels


def test_a_single_rare_row_is_suppressed_and_withheld_when_alone():
    common = [((1, 1, "x"), ("yes" if i % 2 else "no", i % 3)) for i in range(40)]
    rare = [((7, 5, "z"), ("yes", 0))]
    p, published = run(common + rare, k=10, l=2)
    assert p.levels == (0, 0, 0)
    assert p.withheld_rows == 1 and p.suppressed_rows == 0
    assert p.published == 40
    assert all(g == (1, 1, "x") for g, _ in published)


def test_suppressed_rows_are_published_as_stars_when_they_form_a_safe_class():
    common = [((1, 1, "x"), ("yes" if i % 2 else "no", i % 3)) for i in range(400)]
    rare = [((i % 8, 5, "z"), ("yes" if i % 2 else "no", i % 3)) for i in range(12)]
    p, published = run(common + rare, k=10, l=2)
    assert p.suppressed_rows == 12 and p.withheld_rows == 0
    assert Counter(g for g, _ in published)[("*", "*", "*")] == 12
    assert p.suppressed_cells == 36


def test_generalising_beats_suppressing_more_than_the_limit():
    # Every value of "a" has 5 rows: suppressing would lose them all; halving twice pairs them up.
    rows = [((a, 0, "x"), ("yes" if i % 2 else "no", i)) for a in range(8) for i in range(5)]
    p, published = run(rows, k=10, l=2)
    assert p.levels[0] == 1 and p.suppressed_rows == p.withheld_rows == 0
    assert p.summary()["level_names"]["a"] == "half"
    assert p.k_reached == 10


def test_l_diversity_suppresses_a_class_with_one_sensitive_value():
    rows = [((1, 1, "x"), ("yes", i % 3)) for i in range(20)] + [
        ((2, 1, "x"), ("yes" if i % 2 else "no", i % 3)) for i in range(400)
    ]
    p, published = run(rows, k=10, l=2, max_suppression=0.05)
    assert p.withheld_rows == 20
    assert {g for g, _ in published} == {(2, 1, "x")}


def test_too_few_rows_are_all_withheld():
    rows = [((1, 1, "x"), ("yes" if i % 2 else "no", i)) for i in range(9)]
    p, published = run(rows, k=10, l=2)
    assert published == [] and p.withheld_rows == 9 and not p.within_limit
    assert p.levels == (3, 2, 1)


def test_tally_check_refuses_a_small_class():
    tally = kanon.Tally(1, None)
    for i in range(10):
        tally.add(("a",), (i % 2,))
    tally.add(("b",), (1,))
    with pytest.raises(ValueError):
        tally.check(10, 2)
    tally.add(("b",), (0,))
    assert kanon.Tally(1, None).check(10, 2) == (0, 0)


def test_plan_refuses_bad_parameters():
    with pytest.raises(ValueError):
        kanon.plan(kanon.Tally(0, 2), HIERARCHIES, k=0)
    with pytest.raises(ValueError):
        kanon.plan(kanon.Tally(0, 1), HIERARCHIES, l=2)
    with pytest.raises(ValueError):
        kanon.Tally(2, 2).add((1, 1, "x"), ("yes",))


def test_an_attribute_that_does_not_apply_to_a_whole_class_discloses_nothing_but_one_known_value_does():
    # Open cases (no outcome yet) apart from closed ones: the open class is published as it is; a class
    # whose known outcomes are all "no" would disclose them and is not.
    open_cases = [((1, 1, "x"), (None, i % 3)) for i in range(30)]
    closed = [((2, 1, "x"), ("yes" if i % 2 else "no", i % 3)) for i in range(400)]
    one_known = [((3, 1, "x"), ("no" if i < 3 else None, i % 3)) for i in range(12)]
    p, published = run(open_cases + closed + one_known, k=10, l=2, max_suppression=0.05)
    assert {g for g, _ in published} == {(1, 1, "x"), (2, 1, "x")}
    assert p.withheld_rows == 12
