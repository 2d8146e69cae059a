"""Absurd amounts and dates in budgets, spends and payment batches: a Dutch 4xx naming the field, nothing
booked (issue 10, point 2)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maatwerk.budgets import services
from maatwerk.budgets.models import Budget, LedgerEntry, LegalityCheck, PaymentBatch, SpendRequest
from maatwerk.lib import money

from .factories import EXECUTION_DATE, IBAN, request, spend_payload
from .factories import post_json as post

API = "/api/v1/budget"
DEBTOR = {"debtor_name": "Gemeente Eindhoven", "debtor_iban": "NL02ABNA0123456789"}


def approved_spend(world, case):
    spend = request(world.alice, case, "100.00")
    return services.approve_spend(spend, by=world.dave)


# --- amounts --------------------------------------------------------------------------------------------


def test_budgets_use_the_one_maximum_for_money():
    assert services.MAX_AMOUNT == money.MAX_AMOUNT == Decimal("9999999.99")


@pytest.mark.parametrize("amount", ["1e11", "99999999999.99", "10000000.00"])
def test_a_spend_above_the_maximum_is_refused_in_the_api(setup, client_for, amount):
    world, case, _budget = setup
    response = post(client_for(world.alice), f"{API}/spends", spend_payload(case, amount=amount))
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]
    assert not SpendRequest.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("10000000", "Het bedrag mag hoogstens € 9.999.999,99 zijn."),
        ("12,345", "Gebruik hoogstens twee decimalen (hele centen)."),
        ("0", "Het bedrag moet groter zijn dan nul."),
        ("-5", "Het bedrag moet groter zijn dan nul."),
        ("NaN", "Vul een bedrag in euro's in, bijvoorbeeld 125,50."),
        ("Infinity", "Vul een bedrag in euro's in, bijvoorbeeld 125,50."),
        ("veel", "Vul een bedrag in euro's in, bijvoorbeeld 125,50."),
    ],
)
def test_the_service_refuses_a_bad_spend_amount_in_dutch_naming_the_field(setup, amount, message):
    world, case, _budget = setup
    with pytest.raises(ValidationError) as caught:
        services.request_spend(  # the raw value, as a form or API would pass it on
            by=world.alice,
            case=case,
            amount=amount,
            channel="maatwerkbudget",
            purpose="Schoolspullen",
            legal_basis="rule_free",
            creditor_name="Winkel",
            iban=IBAN,
        )
    assert caught.value.message_dict["amount"] == [message]
    assert not SpendRequest.objects.exists()


def test_the_largest_amount_is_accepted_when_the_budget_holds_it(setup):
    world, case, budget = setup
    services.allocate(budget, by=world.adam, amount=Decimal("9999999.99"))
    assert request(world.alice, case, "9999999.99").amount == Decimal("9999999.99")


def test_the_spend_form_refuses_an_amount_above_the_maximum_and_more_than_two_decimals(setup, client_for):
    world, case, _budget = setup
    url = reverse("budgets:spend_new", kwargs={"case_id": case.pk})
    form = {
        "channel": "maatwerkbudget",
        "purpose": "Schoolspullen",
        "kind": "education",
        "legal_basis": "rule_free",
        "payee_kind": "bank",
        "creditor_name": "Winkel",
        "iban": IBAN,
    }
    for amount in ("100000000000", "12,345"):
        response = client_for(world.alice).post(url, {**form, "amount": amount})
        assert response.status_code in (400, 422), amount
        assert "amount" in response.context["form"].errors, amount
    assert not SpendRequest.objects.exists()


def test_an_allocation_above_the_maximum_is_refused_in_the_api_and_the_service(setup, client_for):
    world, _case, budget = setup
    response = post(client_for(world.adam), f"{API}/budgets/{budget.pk}/allocations", {"amount": "1e11"})
    assert response.status_code == 422 and "amount" in response.json()["errors"]
    with pytest.raises(ValidationError) as caught:
        services.allocate(budget, by=world.adam, amount=Decimal("12.345"))
    assert caught.value.message_dict == {"amount": ["Gebruik hoogstens twee decimalen (hele centen)."]}
    assert LedgerEntry.objects.filter(budget=budget).count() == 1  # the factory's allocation only


def test_allocations_stop_where_the_budgets_sum_would_no_longer_fit(setup):
    world, _case, budget = setup
    # Rows as a long history of maximal allocations would leave them, without a thousand service calls.
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(budget=budget, kind="allocation", amount=money.MAX_AMOUNT, created_by=world.adam)
            for _ in range(999)
        ]
    )
    with pytest.raises(ValidationError) as caught:
        services.allocate(budget, by=world.adam, amount=money.MAX_AMOUNT)
    assert caught.value.message_dict == {"amount": ["Een budget bevat hoogstens € 9.999.999.999,99."]}
    assert budget.balances().allocated <= money.MAX_STORED


# --- dates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["1900-01-01", "0001-01-01", "yesterday", "next_year_and_a_bit"])
def test_a_payment_batch_on_a_date_in_the_past_or_far_ahead_is_refused_in_the_api(setup, client_for, when):
    world, case, _budget = setup
    approved_spend(world, case)
    today = timezone.localdate()
    date = {
        "yesterday": (today - datetime.timedelta(days=1)).isoformat(),
        "next_year_and_a_bit": (today + datetime.timedelta(days=400)).isoformat(),
    }.get(when, when)
    response = post(client_for(world.adam), f"{API}/payments/batches", DEBTOR | {"execution_date": date})
    assert response.status_code == 422, response.content
    [message] = response.json()["errors"]["execution_date"]
    assert message.startswith("Vul een datum in van ")
    assert not PaymentBatch.objects.exists()


def test_a_payment_batch_today_or_within_a_year_is_accepted(setup):
    world, case, _budget = setup
    approved_spend(world, case)
    batch = services.export_payment_batch(
        by=world.adam, municipality=world.eindhoven, execution_date=timezone.localdate(), **DEBTOR
    )
    assert batch.execution_date == timezone.localdate()


def test_the_batch_form_refuses_the_year_1900(setup, client_for):
    world, case, _budget = setup
    approved_spend(world, case)
    response = client_for(world.adam).post(
        reverse("budgets:batch_create"),
        {"municipality": world.eindhoven.pk, **DEBTOR, "execution_date": "1900-01-01"},
    )
    assert response.status_code in (400, 422)
    assert "execution_date" in response.context["form"].errors
    assert not PaymentBatch.objects.exists()


def test_a_datetime_is_no_execution_date(setup):
    world, case, _budget = setup
    approved_spend(world, case)
    with pytest.raises(ValidationError) as caught:
        services.export_payment_batch(
            by=world.adam, municipality=world.eindhoven, execution_date=timezone.now(), **DEBTOR
        )
    assert list(caught.value.message_dict) == ["execution_date"]


def test_the_factories_execution_date_is_valid():
    assert timezone.localdate() <= EXECUTION_DATE <= timezone.localdate() + datetime.timedelta(days=366)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("0001-01-01", "0001-12-31", "period_start"),
        ("2027-01-01", "9999-12-31", "period_end"),
        ("2027-01-01", "2033-12-31", "period_end"),  # seven years
        ("2027-12-31", "2027-01-01", "period_end"),
    ],
)
def test_a_budget_period_out_of_this_decade_or_too_long_is_refused(setup, client_for, start, end, field):
    world, _case, _budget = setup
    payload = {
        "municipality_id": world.eindhoven.pk,
        "channel": "maatwerkbudget",
        "period_start": start,
        "period_end": end,
    }
    response = post(client_for(world.adam), f"{API}/budgets", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert Budget.objects.count() == 1


def test_a_budget_for_next_year_is_accepted(setup):
    world, _case, _budget = setup
    year = timezone.localdate().year + 1
    budget = services.create_budget(
        by=world.adam,
        municipality=world.eindhoven,
        channel="maatwerkbudget",
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
    )
    assert budget.period_end.year == year


# --- the money helpers themselves (maatwerk.lib.money, no Django) ---------------------------------------


def test_the_budget_form_refuses_a_period_in_the_year_1(setup, client_for):
    world, _case, _budget = setup
    response = client_for(world.adam).post(
        reverse("budgets:budget_create"),
        {
            "team": world.team_b.pk,
            "channel": "maatwerkbudget",
            "period_start": "0001-01-01",
            "period_end": "0001-12-31",
        },
    )
    assert response.status_code == 422
    assert "period_start" in response.context["form"].errors
    assert Budget.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("10000000.00"), "Het bedrag mag hoogstens € 9.999.999,99 zijn."),
        (Decimal("-1.00"), "Het bedrag kan niet negatief zijn."),
        (Decimal("12.345"), "Gebruik hoogstens twee decimalen (hele centen)."),
    ],
)
def test_mandate_and_legality_rule_amounts_in_the_admin_are_bounded(world, amount, message):
    from maatwerk.budgets.models import Channel, LegalityCheckRule, Mandate

    mandate = Mandate(
        municipality=world.eindhoven, channel=Channel.MAATWERKBUDGET, role="team_lead", max_amount=amount
    )
    with pytest.raises(ValidationError) as raised:
        mandate.full_clean()
    assert message in raised.value.message_dict["max_amount"]
    rule = LegalityCheckRule(
        municipality=world.eindhoven, channel=Channel.MAATWERKBUDGET, above_amount=amount
    )
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert message in raised.value.message_dict["above_amount"]


def test_mandate_without_upper_limit_is_still_valid(world):
    from maatwerk.budgets.models import Channel, Mandate

    Mandate(
        municipality=world.eindhoven, channel=Channel.MAATWERKBUDGET, role="team_lead", max_amount=None
    ).full_clean()


def test_a_reason_longer_than_a_few_sentences_is_refused_not_cut(setup):
    world, case, _budget = setup
    spend = request(world.alice, case, "120.00")
    with pytest.raises(ValidationError) as raised:
        services.reject_spend(spend, by=world.dave, reason="x" * (services.MAX_REASON + 1))
    assert raised.value.message_dict == {"reason": ["Gebruik maximaal 2000 tekens."]}
    spend.refresh_from_db()
    assert spend.status == "requested"


def test_legality_check_notes_and_deviation_motivation_are_bounded(setup):
    from maatwerk.validation import MAX_TEXT

    world, case, _budget = setup
    spend = request(world.alice, case, "120.00")
    with pytest.raises(ValidationError) as raised:
        services.record_legality_check(
            spend,
            by=world.lars,
            verdict="lawful",
            notes="x" * (MAX_TEXT + 1),
            legal_basis_ok=True,
            mandate_ok=True,
            deviation_ok=True,
            prior_provisions_considered=True,
            amount_reasonable=True,
        )
    assert list(raised.value.message_dict) == ["notes"]
    assert not LegalityCheck.objects.filter(spend=spend).exists()
