"""A team lead sees the budgets of the whole municipality that the team's requests draw on, read-only,
with the totals of every team but the bookings of their own team only."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_user
from maatwerk.accounts.models import Role
from maatwerk.budgets import services
from maatwerk.budgets.models import Channel, EntryKind, LedgerEntry

from .factories import make_budget, make_case, request, standard_mandates

API = "/api/v1/budget"


@pytest.fixture
def setup(world):
    """Special assistance comes from one budget of the whole municipality; both teams draw on it."""
    standard_mandates(world.eindhoven, bb_user=world.lars)
    municipal = make_budget(
        world, channel=Channel.BIJZONDERE_BIJSTAND, amount="1000.00", municipality_wide=True
    )
    team_b_budget = make_budget(world, team=world.team_b, amount="500.00")
    own = request(world.alice, make_case(world.team_a), "100.00", channel=Channel.BIJZONDERE_BIJSTAND)
    other = request(
        world.bob, make_case(world.team_b, "De Vries"), "300.00", channel=Channel.BIJZONDERE_BIJSTAND
    )
    assert own.budget_id == other.budget_id == municipal.pk
    services.approve_spend(own, by=world.lars)
    services.approve_spend(other, by=world.lars)
    services.cancel_spend(other, by=world.bob, reason="Mevrouw De Vries is verhuisd")
    services.approve_spend(
        request(world.bob, other.case, "200.00", channel=Channel.BIJZONDERE_BIJSTAND), by=world.lars
    )
    return world, municipal, team_b_budget, own, other


def test_team_lead_sees_the_municipal_budget_with_every_teams_totals(setup, client_for):
    world, municipal, _, _, _ = setup
    body = client_for(world.dave).get(reverse("budgets:overview")).content.decode()
    assert reverse("budgets:budget", args=[municipal.pk]) in body
    # Committed: team A's € 100 and team B's € 200; available what is left for both teams.
    assert "€ 300,00" in body and "€ 700,00" in body


def test_team_lead_sees_only_own_teams_bookings_on_it(setup, client_for):
    world, municipal, _, own, other = setup
    body = client_for(world.dave).get(reverse("budgets:budget", args=[municipal.pk])).content.decode()
    assert own.reference in body
    assert other.reference not in body and "De Vries" not in body and "verhuisd" not in body
    assert "Dit budget is voor de hele gemeente" in body
    assert "Toekennen" not in body  # read-only: no allocation form
    # The administrator sees every booking.
    admin = client_for(world.adam).get(reverse("budgets:budget", args=[municipal.pk])).content.decode()
    assert other.reference in admin and "verhuisd" in admin


def test_team_lead_cannot_allocate_to_it(setup, client_for):
    world, municipal, _, _, _ = setup
    before = LedgerEntry.objects.filter(budget=municipal, kind=EntryKind.ALLOCATION).count()
    response = client_for(world.dave).post(reverse("budgets:allocate", args=[municipal.pk]), {"amount": "10"})
    assert response.status_code == 403
    r = client_for(world.dave).post(
        f"{API}/budgets/{municipal.pk}/allocations",
        json.dumps({"amount": "10.00"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert LedgerEntry.objects.filter(budget=municipal, kind=EntryKind.ALLOCATION).count() == before


def test_team_lead_sees_it_in_the_api_with_own_bookings_only(setup, client_for):
    world, municipal, team_b_budget, own, other = setup
    dave = client_for(world.dave)
    ids = [b["id"] for b in dave.get(f"{API}/budgets").json()]
    assert municipal.pk in ids and team_b_budget.pk not in ids
    balances = dave.get(f"{API}/budgets/{municipal.pk}").json()["balances"]
    assert Decimal(balances["committed"]) == Decimal("300.00")
    spend_ids = {e["spend_id"] for e in dave.get(f"{API}/budgets/{municipal.pk}/ledger").json()}
    assert spend_ids == {None, own.pk}
    all_ids = {
        e["spend_id"] for e in client_for(world.adam).get(f"{API}/budgets/{municipal.pk}/ledger").json()
    }
    assert other.pk in all_ids


def test_other_teams_budgets_and_other_municipalities_stay_hidden(setup, client_for):
    world, municipal, team_b_budget, _, _ = setup
    assert client_for(world.dave).get(reverse("budgets:budget", args=[team_b_budget.pk])).status_code == 404
    utrecht_lead = make_user("ursula", Role.TEAM_LEAD, team=world.team_c)
    for user in (world.carol, utrecht_lead):
        assert client_for(user).get(reverse("budgets:budget", args=[municipal.pk])).status_code == 404
        assert client_for(user).get(f"{API}/budgets/{municipal.pk}").status_code == 404


def test_workers_still_see_only_their_teams_budgets(setup, client_for):
    # Deliberately unchanged: the question was the team lead's, who approves against these balances.
    world, municipal, _, _, _ = setup
    assert client_for(world.alice).get(f"{API}/budgets/{municipal.pk}").status_code == 404
