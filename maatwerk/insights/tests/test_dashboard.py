"""The dashboards as each role meets them: scope, small cells, filters, CSV and the extrapolation API."""

import datetime
import itertools

import pytest
from django.urls import reverse

from maatwerk.insights import charts, disclosure
from maatwerk.insights.audience import audience
from maatwerk.lib import suppression

from .facts import fact, save

pytestmark = pytest.mark.django_db
URL = reverse("insights:dashboard")


def many(team, n, **kw):
    return [fact(team, **kw) for _ in range(n)]


def bc(net, *, spread=100.0):
    """Measures of one household with a business case of expected net `net`."""
    draws = [net - spread, net, net + spread]
    var = sum((d - net) ** 2 for d in draws) / 3
    return dict(
        bc_n=1,
        net_s1=net,
        net_s2=net**2,
        net_s3=net**3,
        net_v=var,
        net_mv=net * var,
        net_t=0.0,
        chance=sum(d > 0 for d in draws) / 3,
        net_pos_n=int(net > 0),
        net_pos_s1=max(net, 0) if net > 0 else 0,
        net_pos_s2=net**2 if net > 0 else 0,
        net_pos_s3=net**3 if net > 0 else 0,
        grade_b=1,
        net_draws=draws,
    )


@pytest.fixture
def data(world):
    save(
        many(world.team_a, 23, status="execution")
        + many(world.team_a, 3, status="intake")
        + many(world.team_b, 4, status="execution")
        + many(world.team_c, 30, status="closed", closed_month=datetime.date(2026, 6, 1), closed_n=1)
    )
    return world


def figure(response, slug):
    for section in response.context["sections"]:
        for f in section.figures:
            if f.slug == slug:
                return f
    raise AssertionError(f"no figure {slug}")


def total(fig, column="n"):
    return next(row[column] for row in fig.rows if row.get("total"))


def cell(fig, column, row_label, label_key):
    for row in fig.rows:
        if str(row[label_key]) == row_label:
            return row[column]
    raise AssertionError(f"no row {row_label}")


def test_worker_and_researcher_have_no_dashboard(data, client_for):
    assert client_for(data.alice).get(URL).status_code == 403
    assert client_for(data.rita).get(URL).status_code == 403


def test_team_lead_sees_own_team_unsuppressed(data, client_for):
    r = client_for(data.dave).get(URL)
    assert r.status_code == 200
    status = figure(r, "status")
    assert cell(status, "n", "intake", "status") == 3
    assert total(status) == 26


def test_policy_sees_own_municipality_with_small_cells_hidden(data, client_for):
    r = client_for(data.erin).get(URL)
    assert r.status_code == 200
    status = figure(r, "status")
    # 3 in intake: "<10", never 0 or 3; and another cell hidden with it so the total does not give it away.
    assert cell(status, "n", "intake", "status") == suppression.SMALL
    shown = [row["n"] for row in status.rows]
    assert sum(charts.is_hidden(v) for v in shown) >= 2
    # Eindhoven only (30 cases: 26 + 4), rounded to a multiple of 5; Utrecht's 30 closed cases are not in.
    assert total(status) == 30
    assert cell(status, "n", "afgesloten", "status") == 0


def test_policy_never_sees_figures_per_worker(data, client_for):
    r = client_for(data.erin).get(URL)
    slugs = {f.slug for s in r.context["sections"] for f in s.figures}
    assert "workers" not in slugs
    assert "workers" in {
        f.slug for s in client_for(data.dave).get(URL).context["sections"] for f in s.figures
    }


def test_programme_sees_every_municipality_and_can_filter_one(data, client_for):
    c = client_for(data.pat)
    assert total(figure(c.get(URL), "status")) == 60
    r = c.get(URL, {"municipality": data.utrecht.pk})
    assert total(figure(r, "status")) == 30


def test_policy_cannot_choose_another_municipalitys_team(data, client_for):
    r = client_for(data.erin).get(URL, {"team": data.team_c.pk})
    assert r.status_code == 400
    assert "team" in r.context["form"].errors
    assert "sections" not in r.context


@pytest.mark.parametrize(
    "params, field",
    [
        ({"period_from": "2026-13"}, "period_from"),
        ({"period_from": " 2026-03x"}, "period_from"),
        ({"period_from": "2026-05", "period_to": "2026-01"}, "period_to"),
        ({"domain": "99"}, "domain"),
        ({"agency": "CJIB"}, "agency"),
        ({"team": "\x00"}, "team"),
    ],
)
def test_bad_filters_get_a_dutch_error_naming_the_field(data, client_for, params, field):
    r = client_for(data.pat).get(URL, params)
    assert r.status_code == 400
    assert field in r.context["form"].errors
    assert r.context["form"].errors[field][0].startswith(("Kies", "Vul", "De", "Selecteer", "Geef"))


def test_filters_stay_in_the_url_and_narrow_the_cohort(data, client_for):
    c = client_for(data.pat)
    r = c.get(URL, {"period_from": "2026-04"})
    assert r.status_code == 200
    assert total(figure(r, "status")) == 0
    assert 'value="2026-04"' in r.content.decode()


def test_two_overlapping_filters_do_not_reveal_a_small_team(data, client_for):
    """Team B has 4 cases. All of Eindhoven minus team A would be exactly those 4 households; the published
    (rounded) counts leave every size from 1 to 9 possible."""
    c = client_for(data.erin)
    everything = total(figure(c.get(URL), "status"))
    team_a = total(figure(c.get(URL, {"team": data.team_a.pk}), "status"))
    possible = {
        a - b
        for a, b in itertools.product(range(0, 100), repeat=2)
        if suppression.round_count(a, 5) == everything and suppression.round_count(b, 5) == team_a and a >= b
    }
    assert 4 in possible
    assert len(possible & set(range(1, 10))) > 1


def test_a_hidden_cell_cannot_be_recovered_from_the_other_cells(world):
    who = audience(world.erin)
    shown, total, hidden = disclosure.one_way(who, ["a", "b", "c"], [3, 40, 57])
    assert shown[0] == suppression.SMALL
    assert len(hidden) >= 2
    # Every value 1..9 for the small cell is consistent with what is shown.
    known = sum(v for v in shown if isinstance(v, int))
    assert (
        total == suppression.HIDDEN
        or all(total - known - a >= suppression.THRESHOLD for a in range(1, 10))
        or total in (suppression.SMALL, suppression.HIDDEN)
    )


def test_csv_of_a_figure_keeps_the_markers(data, client_for):
    r = client_for(data.erin).get(reverse("insights:figure_csv", args=["status"]))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    body = r.content.decode("utf-8-sig")
    assert "<10" in body
    assert client_for(data.erin).get(reverse("insights:figure_csv", args=["nonsense"])).status_code == 404


def test_extrapolation_api_gives_a_prediction_interval(world, client_for):
    save([fact(world.team_a, **bc(1000.0 + 50 * i)) for i in range(40)])
    r = client_for(world.dave).get("/api/v1/insights/extrapolation", {"to": 300})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["n"] == 40
    total = body["total"]
    # The haircut of grade B lowers the savings by 15 %, and the interval is around 300 x the mean.
    assert total["low"] < total["estimate"] < total["high"]
    mean = sum(1000.0 + 50 * i for i in range(40)) / 40 * 0.85
    assert total["estimate"] == pytest.approx(300 * mean, rel=1e-6)
    assert body["weakest_grade"] == "B"
    assert any("geselecteerd" in w for w in body["warnings"])


def test_extrapolation_api_hides_few_cases_for_policy(world, client_for):
    save([fact(world.team_a, **bc(1000.0 + i)) for i in range(6)])
    body = client_for(world.erin).get("/api/v1/insights/extrapolation").json()
    assert body["n"] == suppression.SMALL
    assert body["total"] is None


@pytest.mark.parametrize("to", ["0", "-3", "abc", "99999999999"])
def test_extrapolation_api_refuses_a_bad_number_of_households(world, client_for, to):
    r = client_for(world.pat).get("/api/v1/insights/extrapolation", {"to": to})
    assert r.status_code == 422


def test_extrapolation_api_names_a_bad_filter(world, client_for):
    r = client_for(world.pat).get("/api/v1/insights/extrapolation", {"period_from": "maart"})
    assert r.status_code == 422
    assert "period_from" in r.json()["errors"]


def test_sums_of_money_are_rounded_for_policy_not_for_the_team_lead(world, client_for):
    from decimal import Decimal

    save([fact(world.team_a, kind="childcare", spend_maatwerk=Decimal("1234.56"), spend_maatwerk_n=1)] * 1)
    save(
        [
            fact(world.team_a, kind="childcare", spend_maatwerk=Decimal("1000.00"), spend_maatwerk_n=1)
            for _ in range(11)
        ]
    )
    policy = figure(client_for(world.erin).get(URL), "spend")
    lead = figure(client_for(world.dave).get(URL), "spend")
    assert policy.rows[0]["amount"] == Decimal("12000")
    assert lead.rows[0]["amount"] == Decimal("12234.56")


def test_many_households_read_the_sums_and_agree_with_the_bootstrap(world, monkeypatch):
    """Above BOOTSTRAP_MAX_N the panel reads the cube's sums (Hall's interval); on the same households it
    must tell the same story as the bootstrap over their draws."""
    from maatwerk.insights.filters import Filters
    from maatwerk.insights.panels import Context, money

    save([fact(world.team_a, **bc(300.0 * (i % 7) - 250.0, spread=400.0)) for i in range(60)])
    ctx = Context(audience(world.dave), Filters())
    booted = money.two_level(ctx)
    monkeypatch.setattr(money, "BOOTSTRAP_MAX_N", 10)
    from_sums = money.two_level(Context(audience(world.dave), Filters()))
    assert (
        "bca" in booted.method.lower()
        or "bootstrap" in booted.method.lower()
        or booted.method != from_sums.method
    )
    assert from_sums.estimate == pytest.approx(booted.estimate, rel=1e-9)
    assert from_sums.low == pytest.approx(booted.low, rel=0.25)
    assert from_sums.high == pytest.approx(booted.high, rel=0.25)


def test_the_page_extrapolates_to_the_number_asked_for(world, client_for):
    save([fact(world.team_a, **bc(1000.0 + 50 * i)) for i in range(40)])
    c = client_for(world.dave)
    assert figure(c.get(URL, {"to": "3000"}), "extrapolation").title.endswith(
        "3.000 nieuwe huishoudens opleveren?"
    )
    r = c.get(URL, {"to": "0"})
    assert r.status_code == 400
    assert "to" in r.context["form"].errors
