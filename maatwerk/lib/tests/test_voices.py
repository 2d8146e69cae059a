"""The stories' arithmetic: proportional sampling checked by simulation, the indicator on hand-computed
examples, and the flag on the programme's own evaluation (10 project-group members quoted, 104 clients
and workers not)."""

import random
from collections import Counter

import pytest

from maatwerk.lib import voices as v

GROUPS = ["client", "worker", "team_lead", "policy", "partner"]


def pool(spec):
    """Items from {(group, tone): (respondents, quotes per respondent)}."""
    items, next_id = [], 1
    for (group, tone), (people, each) in spec.items():
        for person in range(people):
            for _ in range(each):
                items.append(v.Item(next_id, group, tone, f"{group}:{tone}:{person}"))
                next_id += 1
    return items


def test_quotas_are_proportional_and_a_full_group_gives_its_places_to_the_others():
    assert v.quotas({"a": 3, "b": 1}, {"a": 100, "b": 100}, 8) == {"a": 6.0, "b": 2.0}
    # "b" could take 5 but has 1 quote: its 4 extra places go to "a" and "c" in proportion 2:1.
    got = v.quotas({"a": 2, "b": 5, "c": 1}, {"a": 100, "b": 1, "c": 100}, 16)
    assert got["b"] == 1 and got["a"] == pytest.approx(10.0) and got["c"] == pytest.approx(5.0)
    assert v.quotas({"a": 1}, {"a": 3}, 10) == {"a": 3.0}
    assert v.quotas({"a": 0, "b": 1}, {"a": 5, "b": 5}, 4) == {"a": 0.0, "b": 4.0}


def test_systematic_rounding_keeps_the_sum_and_is_right_on_average():
    rng = random.Random(3)
    quota = {"a": 2.5, "b": 1.25, "c": 0.25}
    totals, draws = Counter(), 20_000
    for _ in range(draws):
        got = v.round_systematically(quota, rng)
        assert sum(got.values()) == 4
        assert all(int(q) <= got[k] <= int(q) + 1 for k, q in quota.items())
        totals.update(got)
    for key, q in quota.items():
        assert totals[key] / draws == pytest.approx(q, abs=0.02)


def test_over_many_draws_each_groups_share_is_close_to_its_respondent_share():
    respondents = {"client": 60, "worker": 25, "team_lead": 5, "policy": 7, "partner": 3}
    items = pool(
        {
            ("client", "positive"): (20, 1),
            ("client", "critical"): (10, 1),
            ("worker", "mixed"): (15, 2),
            ("team_lead", "positive"): (3, 2),
            ("policy", "positive"): (7, 5),
            ("partner", "critical"): (3, 1),
        }
    )
    rng, draws, size = random.Random(11), 3_000, 20
    shares = Counter()
    for _ in range(draws):
        picked = v.sample(items, respondents, size, rng)
        assert len(picked) == size and len({i.id for i in picked}) == size
        shares.update(Counter(i.group for i in picked))
    for group, n in respondents.items():
        assert shares[group] / (draws * size) == pytest.approx(n / 100, abs=0.02), group


def test_critical_quotes_are_always_in_the_sample_when_the_pool_has_them():
    respondents = {"client": 90, "policy": 10}
    items = pool({("client", "positive"): (80, 1), ("policy", "positive"): (10, 3)})
    items.append(v.Item(9999, "policy", "critical", "policy:x"))
    rng = random.Random(5)
    for _ in range(500):
        picked = v.sample(items, respondents, 5, rng)
        assert any(i.tone == "critical" for i in picked)
    # Beyond that one, the critical share follows the respondents: a group of one place is not always
    # critical (measured on the demo, forcing it made a sample 42 % critical against 26 % of the voices).
    items = pool(
        {
            ("client", "positive"): (30, 1),
            ("client", "critical"): (10, 1),
            ("worker", "positive"): (30, 1),
            ("worker", "critical"): (10, 1),
            ("policy", "positive"): (3, 1),
            ("policy", "critical"): (1, 1),
        }
    )
    critical, draws, size = 0, 2_000, 12
    for _ in range(draws):
        critical += sum(
            i.tone == "critical"
            for i in v.sample(items, {"client": 40, "worker": 40, "policy": 4}, size, rng)
        )
    assert critical / (draws * size) == pytest.approx(0.25, abs=0.02)


def test_the_sample_spreads_over_distinct_respondents_before_repeating_one():
    items = pool({("worker", "positive"): (1, 10)}) + pool({("worker", "mixed"): (4, 1)})
    picked = v.sample(items, {"worker": 5}, 5, random.Random(1))
    assert len({i.respondent for i in picked}) == 5


def test_a_small_pool_is_shown_whole():
    items = pool({("client", "positive"): (2, 1), ("worker", "critical"): (1, 1)})
    assert {i.id for i in v.sample(items, {"client": 40, "worker": 3}, 12, random.Random(2))} == {1, 2, 3}


def test_kish_counts_effective_distinct_voices():
    assert v.kish([1, 1, 1, 1]) == 4
    assert v.kish([4]) == 1
    assert v.kish([2, 1, 1]) == pytest.approx(16 / 6)
    assert v.kish([]) == 0


def test_balance_figures_on_a_hand_computed_example():
    shown = [
        v.Item(1, "client", "positive", "h1"),
        v.Item(2, "client", "critical", "h1"),
        v.Item(3, "client", "positive", "h2"),
        v.Item(4, "worker", "mixed", "u1"),
    ]
    corpus = shown + [v.Item(5, "worker", "critical", "u2")]
    got = v.balance(shown, {"client": 6, "worker": 4}, corpus, GROUPS)
    client, worker = got.groups[0], got.groups[1]
    assert (got.respondents, got.quotes) == (10, 4)
    assert (client.respondent_share, client.quote_share) == (0.6, 0.75)
    assert client.distinct_voices == pytest.approx(9 / 5)  # quotes per respondent 2 and 1
    assert client.tones == {"positive": 2, "critical": 1}
    assert (worker.respondent_share, worker.quote_share, worker.distinct_voices) == (0.4, 0.25, 1.0)
    assert got.distinct_voices == pytest.approx(16 / 6)
    assert (got.critical_share, got.corpus_critical_share) == (0.25, 0.4)
    assert got.flags == []


def test_the_programmes_own_evaluation_is_flagged():
    """Ten project-group members quoted (three times each), 104 clients and workers interviewed, none
    quoted."""
    shown = pool({("policy", "positive"): (10, 3)})
    got = v.balance(shown, {"client": 60, "worker": 44, "policy": 10}, shown, GROUPS)
    codes = {(f.code, f.group) for f in got.flags}
    assert ("missing", "client") in codes and ("missing", "worker") in codes
    assert ("over", "policy") in codes
    policy = next(g for g in got.groups if g.group == "policy")
    assert policy.distinct_voices == pytest.approx(10) and policy.quote_share == 1.0


def test_a_report_far_less_critical_than_the_corpus_is_flagged():
    corpus = pool({("client", "critical"): (4, 1), ("client", "positive"): (6, 1)})
    shown = [i for i in corpus if i.tone == "positive"][:5]
    flags = v.balance(shown, {"client": 10}, corpus, GROUPS).flags
    assert [f.code for f in flags] == ["critical_low"] and flags[0].expected == 0.4
    # A group under 10 % of the respondents may be without a quote.
    shown = [i for i in corpus if i.group == "client"]
    assert v.balance(shown, {"client": 95, "partner": 5}, corpus, GROUPS).flags == []
