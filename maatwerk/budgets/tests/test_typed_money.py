"""Money typed the Dutch way ("6.500,00", "6500", "6500,5", "6.500", "€ 6.500") is read by one parser,
validation.parse_money, in every form where money is typed; other notations are refused in Dutch
(issue 11, point 7)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from maatwerk import validation
from maatwerk.barriers.models import CaseLink
from maatwerk.barriers.tests.factories import case_for, childcare_barrier
from maatwerk.budgets.models import Budget, SpendRequest
from maatwerk.forms import MoneyField, MoneyInput

from .factories import IBAN, make_budget, make_case, standard_mandates

DUTCH = [
    ("6.500,00", "6500.00"),
    ("6500", "6500.00"),
    ("6500,5", "6500.50"),
    ("6.500", "6500.00"),
    ("€ 6.500", "6500.00"),
    ("€6.500,00", "6500.00"),
    (" 6 500,00 ", "6500.00"),
    ("1.234.567,89", "1234567.89"),
    ("0,50", "0.50"),
    # One dot and one or two digits can only be a decimal point: no Dutch writer groups two digits.
    ("6500.50", "6500.50"),
    ("6500.5", "6500.50"),
]
REFUSED = ["6,500.00", "1.2.3", "abc", "6.50.0", "1,2,3", "€", ","]
INVALID = "Vul een bedrag in euro's in, bijvoorbeeld 125,50."


@pytest.mark.parametrize(("typed", "amount"), DUTCH)
def test_parse_money_reads_dutch_spellings(typed, amount):
    errors: dict = {}
    assert validation.parse_money(typed, "amount", errors) == Decimal(amount)
    assert errors == {}


@pytest.mark.parametrize("typed", REFUSED)
def test_parse_money_refuses_other_notations_in_dutch(typed):
    errors: dict = {}
    assert validation.parse_money(typed, "amount", errors) is None
    assert errors == {"amount": INVALID}


def test_a_dot_after_four_digits_is_no_thousands_separator():
    # "6500.125" groups nothing: three decimals, refused as such, never read as 6,5 million.
    errors: dict = {}
    assert validation.parse_money("6500.125", "amount", errors) is None
    assert errors == {"amount": "Gebruik hoogstens twee decimalen (hele centen)."}


def test_money_field_refuses_below_its_minimum_with_its_own_message():
    field = MoneyField(minimum=Decimal("0.01"), below="Meer dan nul.")
    with pytest.raises(Exception) as caught:
        field.clean("0,00")
    assert caught.value.messages == ["Meer dan nul."]
    assert field.clean("6.500,00") == Decimal("6500.00")


def test_money_input_is_a_text_box_showing_a_stored_amount_the_dutch_way():
    html = MoneyInput().render("amount", Decimal("6500.50"))
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'value="6500,50"' in html


@pytest.fixture
def setup(world):
    standard_mandates(world.eindhoven, bb_user=world.lars)
    case = make_case(world.team_a)
    budget = make_budget(world, amount="10000.00")
    return world, case, budget


SPEND_FORM = {
    "channel": "maatwerkbudget",
    "purpose": "Kinderopvang",
    "kind": "childcare",
    "legal_basis": "rule_free",
    "payee_kind": "bank",
    "creditor_name": "Kinderopvang De Vlinder",
    "iban": IBAN,
}


@pytest.mark.parametrize(
    ("typed", "amount"), [("4.500,00", "4500.00"), ("450", "450.00"), ("450,5", "450.50")]
)
def test_the_spend_form_takes_dutch_amounts(setup, client_for, typed, amount):
    world, case, _budget = setup
    url = reverse("budgets:spend_new", kwargs={"case_id": case.pk})
    response = client_for(world.alice).post(url, {**SPEND_FORM, "amount": typed})
    assert response.status_code == 302, response.context["form"].errors
    assert SpendRequest.objects.get().amount == Decimal(amount)


def test_the_spend_form_is_a_text_box_without_browser_validation(setup, client_for):
    world, case, _budget = setup
    page = client_for(world.alice).get(reverse("budgets:spend_new", kwargs={"case_id": case.pk}))
    html = page.content.decode()
    assert "novalidate" in html
    assert 'name="amount"' in html and 'type="number"' not in html and 'inputmode="decimal"' in html


@pytest.mark.parametrize("typed", ["6,500.00", "abc", "0"])
def test_the_spend_form_refuses_bad_amounts_in_dutch(setup, client_for, typed):
    world, case, _budget = setup
    url = reverse("budgets:spend_new", kwargs={"case_id": case.pk})
    response = client_for(world.alice).post(url, {**SPEND_FORM, "amount": typed})
    assert response.status_code == 422
    message = response.context["form"].errors["amount"][0]
    assert message in (INVALID, "Het bedrag moet groter zijn dan nul.")
    assert not SpendRequest.objects.exists()


def test_the_allocation_form_takes_a_dutch_amount(setup, client_for):
    world, _case, budget = setup
    response = client_for(world.adam).post(
        reverse("budgets:allocate", kwargs={"pk": budget.pk}), {"amount": "€ 2.500,25"}
    )
    assert response.status_code == 302
    assert Budget.objects.get(pk=budget.pk).entries.filter(amount=Decimal("2500.25")).exists()


def test_a_barrier_cost_at_stake_takes_a_dutch_amount(world):
    case = case_for(world)
    childcare_barrier(world, case=case, cost="1.250,00")
    assert CaseLink.objects.get().cost_at_stake == Decimal("1250.00")
