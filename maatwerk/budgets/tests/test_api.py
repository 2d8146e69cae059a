from decimal import Decimal

from maatwerk.budgets import services
from maatwerk.budgets.models import LedgerEntry, SpendRequest, SpendStatus

from .factories import lawful_check, make_budget, request, spend_payload
from .factories import post_json as post

API = "/api/v1/budget"


def test_full_flow_through_the_api(setup, client_for):
    world, case, budget = setup
    alice, dave, adam = client_for(world.alice), client_for(world.dave), client_for(world.adam)
    r = post(alice, f"{API}/spends", spend_payload(case), **{"Idempotency-Key": "a1"})
    assert r.status_code == 201, r.content
    again = post(alice, f"{API}/spends", spend_payload(case), **{"Idempotency-Key": "a1"})
    assert again.json()["id"] == r.json()["id"]
    assert SpendRequest.objects.count() == 1
    sid = r.json()["id"]
    assert (
        post(dave, f"{API}/spends/{sid}/approve", **{"Idempotency-Key": "b1"}).json()["status"] == "approved"
    )
    assert post(dave, f"{API}/spends/{sid}/approve", **{"Idempotency-Key": "b1"}).status_code == 200
    assert LedgerEntry.objects.filter(kind="commitment").count() == 1
    assert "Schoolspullen" in adam.get(f"{API}/payments/export.csv").content.decode()
    assert post(adam, f"{API}/spends/{sid}/pay", **{"Idempotency-Key": "c1"}).json()["status"] == "paid"
    assert post(adam, f"{API}/spends/{sid}/pay", **{"Idempotency-Key": "c1"}).json()["status"] == "paid"
    b = dave.get(f"{API}/budgets/{budget.pk}").json()["balances"]
    assert Decimal(b["paid"]) == Decimal("150") and Decimal(b["available"]) == Decimal("850")
    assert len(adam.get(f"{API}/budgets/{budget.pk}/ledger").json()) == 4


def test_self_approval_is_refused_in_the_api(setup, client_for):
    world, case, _ = setup
    spend = request(world.dave, case)
    r = post(client_for(world.dave), f"{API}/spends/{spend.pk}/approve")
    assert r.status_code == 403
    assert "eigen aanvraag" in r.json()["detail"]


def test_above_mandate_is_refused_in_the_api(setup, client_for):
    world, case, budget = setup
    services.allocate(budget, by=world.adam, amount=Decimal("5000"))
    spend = request(world.alice, case, "2600.00")
    lawful_check(spend, world.lars)
    r = post(client_for(world.dave), f"{API}/spends/{spend.pk}/approve")
    assert r.status_code == 403 and "boven uw mandaat" in r.json()["detail"]


def test_special_assistance_without_mandated_approver_is_refused_in_the_api(setup, client_for):
    world, case, _ = setup
    make_budget(world, channel="bijzondere_bijstand", amount="1000.00")
    spend = request(world.alice, case, "100.00", channel="bijzondere_bijstand")
    r = post(client_for(world.dave), f"{API}/spends/{spend.pk}/approve")
    assert r.status_code == 403 and "gemandateerde" in r.json()["detail"]
    ok = post(client_for(world.lars), f"{API}/spends/{spend.pk}/approve")
    assert ok.json()["status"] == SpendStatus.APPROVED


def test_other_teams_get_404_in_the_api(setup, client_for):
    world, case, budget = setup
    spend = request(world.alice, case)
    for user in (world.bob, world.carol):
        c = client_for(user)
        assert c.get(f"{API}/spends/{spend.pk}").status_code == 404
        assert post(c, f"{API}/spends/{spend.pk}/approve").status_code == 404
        assert c.get(f"{API}/budgets/{budget.pk}").status_code == 404
        assert post(c, f"{API}/spends", spend_payload(case)).status_code == 404
    assert client_for(world.bob).get(f"{API}/spends").json() == []


def test_validation_errors_per_field(setup, client_for):
    world, case, _ = setup
    r = post(
        client_for(world.alice), f"{API}/spends", spend_payload(case, iban="NL00BANK0000000000", purpose="")
    )
    assert r.status_code == 422
    assert set(r.json()["errors"]) >= {"iban", "purpose"}


def test_legality_check_reject_cancel_reverse_and_allocate(setup, client_for):
    world, case, budget = setup
    lars, dave, adam = client_for(world.lars), client_for(world.dave), client_for(world.adam)
    spend = request(world.alice, case, "100.00")
    check = {
        "verdict": "lawful",
        "legal_basis_ok": True,
        "mandate_ok": True,
        "deviation_ok": True,
        "prior_provisions_considered": True,
        "amount_reasonable": True,
    }
    assert post(lars, f"{API}/spends/{spend.pk}/legality-checks", check).status_code == 201
    assert post(dave, f"{API}/spends/{spend.pk}/reject", {"reason": ""}).status_code == 422
    assert post(dave, f"{API}/spends/{spend.pk}/reject", {"reason": "Nee"}).json()["status"] == "rejected"
    other = request(world.alice, case, "100.00")
    post(dave, f"{API}/spends/{other.pk}/approve")
    assert (
        post(client_for(world.alice), f"{API}/spends/{other.pk}/cancel", {"reason": "x"}).status_code == 200
    )
    third = request(world.alice, case, "100.00")
    post(dave, f"{API}/spends/{third.pk}/approve")
    post(adam, f"{API}/spends/{third.pk}/pay")
    r = post(adam, f"{API}/spends/{third.pk}/reverse-payment", {"reason": "retour"})
    assert r.json()["status"] == "approved"
    assert post(adam, f"{API}/budgets/{budget.pk}/allocations", {"amount": "10.00"}).status_code == 201
    refused = post(dave, f"{API}/budgets/{budget.pk}/allocations", {"amount": "10.00"})
    assert refused.status_code == 403 and "beheerder" in refused.json()["detail"]
    assert len(adam.get(f"{API}/mandates").json()) == 6  # four rungs and the college on both ladders


def test_admin_creates_a_budget_and_corrects_an_allocation_through_the_api(setup, client_for):
    world, _case, _budget = setup
    admin = client_for(world.adam)
    response = post(
        admin,
        f"{API}/budgets",
        {
            "municipality_id": world.eindhoven.pk,
            "team_id": world.team_b.pk,
            "channel": "maatwerkbudget",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
        },
    )
    assert response.status_code == 201, response.content
    budget_id = response.json()["id"]
    entry = post(admin, f"{API}/budgets/{budget_id}/allocations", {"amount": "800.00", "note": "jaar"}).json()
    response = post(
        admin, f"{API}/budgets/{budget_id}/allocations/{entry['id']}/reverse", {"reason": "typefout"}
    )
    assert response.status_code == 201, response.content
    assert admin.get(f"{API}/budgets/{budget_id}").json()["balances"]["available"] == "0.00"


def test_only_an_admin_of_the_municipality_creates_budgets_in_the_api(setup, client_for):
    world, _case, _budget = setup
    payload = {
        "municipality_id": world.eindhoven.pk,
        "channel": "maatwerkbudget",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
    }
    assert post(client_for(world.dave), f"{API}/budgets", payload).status_code == 404
    assert (
        post(
            client_for(world.adam), f"{API}/budgets", payload | {"municipality_id": world.utrecht.pk}
        ).status_code
        == 404
    )
    assert (
        post(client_for(world.adam), f"{API}/budgets", payload | {"team_id": world.team_c.pk}).status_code
        == 404
    )
