"""Plausible money: no request above what the budget has, no release of what was never committed, a
payment batch dated today or in the coming weeks."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maatwerk.budgets import services
from maatwerk.budgets.models import EntryKind, LedgerEntry, PaymentBatch, SpendRequest

from .factories import IBAN, make_budget, make_case, request, standard_mandates

DEBTOR = {"debtor_name": "Gemeente Eindhoven", "debtor_iban": "NL02ABNA0123456789"}


@pytest.fixture
def setup(world):
    standard_mandates(world.eindhoven)
    case = make_case(world.team_a)
    budget = make_budget(world, amount="23400.00")
    return world, case, budget


def test_a_request_above_what_the_budget_has_is_refused_naming_the_available_amount(setup):
    world, case, _ = setup
    with pytest.raises(ValidationError) as caught:
        request(world.alice, case, "9999999.99")  # the largest amount
    assert caught.value.message_dict == {"amount": ["Er is nog € 23.400,00 beschikbaar in dit budget."]}
    assert not SpendRequest.objects.exists()


def test_what_is_committed_counts_and_the_whole_available_amount_may_be_requested(setup):
    world, case, _ = setup
    services.approve_spend(request(world.alice, case, "900.00"), by=world.dave)
    with pytest.raises(ValidationError) as caught:
        request(world.alice, case, "22500.01")
    assert caught.value.message_dict["amount"] == ["Er is nog € 22.500,00 beschikbaar in dit budget."]
    assert request(world.alice, case, "22500.00").amount == Decimal("22500.00")


def test_the_form_and_the_api_refuse_it_on_the_amount_field(setup, client_for):
    world, case, _ = setup
    data = {
        "channel": "maatwerkbudget",
        "amount": "9999999,99",
        "purpose": "Kinderopvang",
        "kind": "childcare",
        "legal_basis": "rule_free",
        "payee_kind": "bank",
        "creditor_name": "Opvang BV",
        "iban": IBAN,
    }
    response = client_for(world.alice).post(reverse("budgets:spend_new", args=[case.pk]), data)
    assert response.status_code == 422
    assert response.context["form"].errors["amount"] == ["Er is nog € 23.400,00 beschikbaar in dit budget."]
    body = data | {"case_id": case.pk, "amount": "9999999.99"}
    response = client_for(world.alice).post(
        "/api/v1/budget/spends", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"]["amount"] == ["Er is nog € 23.400,00 beschikbaar in dit budget."]
    assert not SpendRequest.objects.exists()


def test_cancelling_a_request_that_was_never_approved_releases_nothing(setup, client_for):
    world, case, budget = setup
    spend = request(world.alice, case, "500.00")
    url = reverse("budgets:spend_action", args=[spend.pk, "cancel"])
    response = client_for(world.alice).post(url, {"cancel-reason": "niet meer nodig"}, follow=True)
    assert "Ingetrokken." in response.content.decode()
    assert "vrijgegeven" not in response.content.decode()
    assert not LedgerEntry.objects.filter(kind=EntryKind.RELEASE).exists()
    assert budget.balances().available == Decimal("23400.00")


def test_cancelling_an_approved_request_releases_exactly_its_commitment(setup, client_for):
    world, case, budget = setup
    spend = request(world.alice, case, "500.00")
    services.approve_spend(spend, by=world.dave)
    assert services.open_commitment(spend) == Decimal("500.00")
    url = reverse("budgets:spend_action", args=[spend.pk, "cancel"])
    response = client_for(world.alice).post(url, {"cancel-reason": "niet meer nodig"}, follow=True)
    assert "Ingetrokken; het geld is vrijgegeven." in response.content.decode()
    [release] = LedgerEntry.objects.filter(kind=EntryKind.RELEASE)
    assert (release.spend_id, release.amount) == (spend.pk, Decimal("500.00"))
    assert services.open_commitment(spend) == 0
    b = budget.balances()
    assert (b.committed, b.available) == (Decimal("0"), Decimal("23400.00"))


def test_a_paid_and_reversed_request_releases_its_commitment_once_on_cancel(setup):
    world, case, budget = setup
    spend = request(world.alice, case, "500.00")
    services.approve_spend(spend, by=world.dave)
    services.pay_spend(spend, by=world.adam)
    assert services.open_commitment(spend) == 0
    services.reverse_payment(spend, by=world.adam, reason="retour bank")
    assert services.open_commitment(spend) == Decimal("500.00")
    services.cancel_spend(spend, by=world.alice, reason="niet meer nodig")
    b = budget.balances()
    assert (b.committed, b.paid, b.available) == (Decimal("0"), Decimal("0"), Decimal("23400.00"))


def _approved(world, case):
    spend = request(world.alice, case, "100.00")
    services.approve_spend(spend, by=world.dave)
    return spend


@pytest.mark.parametrize("days", [0, 1, services.MAX_EXECUTION_DAYS_AHEAD])
def test_a_batch_today_or_in_the_next_eight_weeks_is_accepted(setup, days):
    world, case, _ = setup
    _approved(world, case)
    when = timezone.localdate() + datetime.timedelta(days=days)
    batch = services.export_payment_batch(
        by=world.adam, municipality=world.eindhoven, execution_date=when, **DEBTOR
    )
    assert batch.execution_date == when


@pytest.mark.parametrize("days", [-1, services.MAX_EXECUTION_DAYS_AHEAD + 1, 366])
def test_a_batch_in_the_past_or_beyond_eight_weeks_is_refused_naming_the_last_day(setup, days):
    world, case, _ = setup
    _approved(world, case)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.export_payment_batch(
            by=world.adam,
            municipality=world.eindhoven,
            execution_date=today + datetime.timedelta(days=days),
            **DEBTOR,
        )
    last = today + datetime.timedelta(weeks=8)
    assert caught.value.message_dict["execution_date"] == [
        f"Vul een datum in van {today:%d-%m-%Y} tot en met {last:%d-%m-%Y}."
    ]
    assert not PaymentBatch.objects.exists()
