"""The kind of a spend request (what the money is for): the form, the service, the API and their bad input."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from maatwerk.budgets import exports
from maatwerk.budgets.models import Kind, SpendRequest

from .factories import IBAN, request, spend_payload
from .factories import post_json as post

API = "/api/v1/budget"

FORM = {
    "channel": "maatwerkbudget",
    "amount": "125,50",
    "purpose": "Opvang twee dagen per week",
    "legal_basis": "rule_free",
    "payee_kind": "bank",
    "creditor_name": "Kinderopvang De Speeltuin",
    "iban": IBAN,
}


def test_a_request_without_a_kind_from_an_existing_caller_is_other(setup):
    world, case, _ = setup
    assert request(world.alice, case).kind == Kind.OTHER


def test_the_service_stores_the_kind(setup):
    world, case, _ = setup
    assert request(world.alice, case, kind=Kind.ENERGY).kind == Kind.ENERGY


def test_the_service_refuses_an_unknown_kind_naming_the_field(setup):
    world, case, _ = setup
    # in Dutch whatever language an earlier request on this thread left active
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        request(world.alice, case, kind="nonsense")
    assert caught.value.message_dict == {"kind": ["Kies een soort maatwerk."]}
    assert not SpendRequest.objects.exists()


def test_the_form_shows_the_kind_as_a_required_select_after_the_purpose(setup, client_for):
    world, case, _ = setup
    page = client_for(world.alice).get(reverse("budgets:spend_new", args=[case.pk])).content.decode()
    assert '<select name="kind"' in page and 'id="id_kind"' in page
    assert page.index('name="purpose"') < page.index('name="kind"') < page.index('name="legal_basis"')
    assert "soort maatwerk" in page and "kinderopvang" in page
    select = page[page.index('<select name="kind"') :].split(">", 1)[0]
    assert "required" in select
    # the hint that names the approver still follows the amount, fed by the amount and the channel
    hint = page.index(reverse("budgets:route_preview", args=[case.pk]))
    assert page.index('name="amount"') < hint < page.index('name="kind"')


def test_the_form_stores_the_chosen_kind(setup, client_for):
    world, case, _ = setup
    url = reverse("budgets:spend_new", args=[case.pk])
    assert client_for(world.alice).post(url, FORM | {"kind": "childcare"}).status_code == 302
    assert SpendRequest.objects.get().kind == Kind.CHILDCARE


@pytest.mark.parametrize("kind", [None, "", "nonsense"])
def test_the_form_without_a_valid_kind_is_refused_with_a_dutch_error(setup, client_for, kind):
    world, case, _ = setup
    data = FORM if kind is None else FORM | {"kind": kind}
    response = client_for(world.alice).post(reverse("budgets:spend_new", args=[case.pk]), data)
    assert response.status_code in (400, 422)
    assert "kind" in response.context["form"].errors
    assert not SpendRequest.objects.exists()


def test_the_api_takes_and_returns_the_kind(setup, client_for):
    world, case, _ = setup
    alice = client_for(world.alice)
    r = post(alice, f"{API}/spends", spend_payload(case, kind="debts"))
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "debts"
    assert alice.get(f"{API}/spends/{r.json()['id']}").json()["kind"] == "debts"


def test_the_api_without_a_kind_stores_other(setup, client_for):
    world, case, _ = setup
    r = post(client_for(world.alice), f"{API}/spends", spend_payload(case))
    assert r.status_code == 201 and r.json()["kind"] == "other"


def test_the_api_refuses_an_unknown_kind_with_a_dutch_error_naming_the_field(setup, client_for):
    world, case, _ = setup
    r = post(client_for(world.alice), f"{API}/spends", spend_payload(case, kind="nonsense"))
    assert r.status_code == 422
    assert r.json()["errors"]["kind"] == ["Kies een soort maatwerk."]
    assert not SpendRequest.objects.exists()


def test_the_openapi_document_lists_the_kinds(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["SpendIn"]["properties"]["kind"]["enum"] == Kind.values
    assert "kind" in schema["SpendOut"]["required"]


def test_the_detail_page_and_the_payments_csv_show_the_kind(setup, client_for):
    world, case, _ = setup
    spend = request(world.alice, case, kind=Kind.RENT_ARREARS)
    page = client_for(world.alice).get(reverse("budgets:spend", args=[spend.pk])).content.decode()
    assert "huurachterstand" in page.lower()
    header, row = exports.payments_csv([spend]).splitlines()
    assert "kind" in header.split(";") and "rent_arrears" in row.split(";")


def test_the_ledger_admin_shows_the_kind_of_each_booking_read_only(setup, client_for):
    from maatwerk.budgets import services

    world, case, _ = setup
    spend = request(world.alice, case, kind=Kind.ENERGY)
    services.approve_spend(spend, by=world.dave)
    world.adam.is_staff = True  # the admin site is for staff (the functional administrator)
    world.adam.save(update_fields=["is_staff"])
    adam = client_for(world.adam)
    page = adam.get("/beheer/budgets/ledgerentry/").content.decode()
    assert "energieschuld" in page
    filtered = adam.get("/beheer/budgets/ledgerentry/", {"spend__kind": "energy"})
    assert filtered.status_code == 200 and "energieschuld" in filtered.content.decode()
    entry = spend.entries.get()
    assert adam.post(f"/beheer/budgets/ledgerentry/{entry.pk}/change/", {}).status_code == 403
