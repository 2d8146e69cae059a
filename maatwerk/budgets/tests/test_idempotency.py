"""An Idempotency-Key answers a retry of the same request with the first result, and refuses another body."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maatwerk.budgets import services
from maatwerk.budgets.models import IdempotencyKey, LedgerEntry, PaymentBatch, SpendRequest

from .factories import IBAN, make_case, request, spend_payload
from .factories import post_json as post

API = "/api/v1/budget"
OTHER_CONTENT = "al gebruikt voor een verzoek met een andere inhoud"
FORM_SENT = "Dit formulier is al verstuurd met een andere inhoud"


def refused(exc_info) -> str:
    return " ".join(exc_info.value.message_dict["idempotency_key"])


# --- services -------------------------------------------------------------------------------------------


def test_same_key_and_same_request_written_differently_returns_the_first_spend(setup):
    world, case, _ = setup
    first = request(world.alice, case, "100.00", idempotency_key="k1")
    # The same request: the amount without cents, the IBAN with spaces, the purpose with a trailing space.
    again = request(
        world.alice,
        case,
        "100",
        iban="NL91 ABNA 0417 1643 00",
        purpose="Achterstand energierekening ",
        idempotency_key="k1",
    )
    assert again.pk == first.pk
    assert SpendRequest.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "100.01"},
        {"purpose": "Iets anders"},
        {"iban": "NL02ABNA0123456789"},
        {"creditor_name": "X"},
    ],
    ids=["amount", "purpose", "iban", "creditor"],
)
def test_same_key_with_another_request_is_refused_and_books_nothing(setup, change):
    world, case, _ = setup
    request(world.alice, case, "100.00", idempotency_key="k1")
    amount = change.pop("amount", "100.00")
    with pytest.raises(ValidationError) as exc_info:
        request(world.alice, case, amount, idempotency_key="k1", **change)
    assert OTHER_CONTENT in refused(exc_info)
    assert SpendRequest.objects.count() == 1


def test_same_key_for_another_case_is_refused(setup):
    world, case, _ = setup
    other = make_case(world.team_a, name="Pietersen")
    request(world.alice, case, idempotency_key="k1")
    with pytest.raises(ValidationError) as exc_info:
        request(world.alice, other, idempotency_key="k1")
    assert OTHER_CONTENT in refused(exc_info)


def test_approving_another_spend_with_a_used_key_is_refused(setup):
    world, case, budget = setup
    one, two = request(world.alice, case), request(world.alice, case)
    services.approve_spend(one, by=world.dave, idempotency_key="a1")
    assert services.approve_spend(one, by=world.dave, idempotency_key="a1").pk == one.pk  # a retry
    with pytest.raises(ValidationError) as exc_info:
        services.approve_spend(two, by=world.dave, idempotency_key="a1")
    assert OTHER_CONTENT in refused(exc_info)
    two.refresh_from_db()
    assert two.status == "requested"
    assert LedgerEntry.objects.filter(kind="commitment").count() == 1


def test_paying_another_spend_with_a_used_key_is_refused(setup):
    world, case, _ = setup
    one, two = request(world.alice, case), request(world.alice, case)
    for spend in (one, two):
        services.approve_spend(spend, by=world.dave)
    services.pay_spend(one, by=world.adam, idempotency_key="p1")
    with pytest.raises(ValidationError) as exc_info:
        services.pay_spend(two, by=world.adam, idempotency_key="p1")
    assert OTHER_CONTENT in refused(exc_info)
    assert LedgerEntry.objects.filter(kind="payment").count() == 1


def export(world, **kw):
    data = {
        "by": world.adam,
        "municipality": world.eindhoven,
        "debtor_name": "Gemeente Eindhoven",
        "debtor_iban": "NL02ABNA0123456789",
        # The service refuses an execution date in the past: relative to the municipality's today.
        "execution_date": timezone.localdate(),
    }
    return services.export_payment_batch(**(data | kw))


def test_export_with_a_used_key_and_another_execution_date_is_refused(setup):
    world, case, _ = setup
    services.approve_spend(request(world.alice, case), by=world.dave)
    first = export(world, idempotency_key="e1")
    assert export(world, idempotency_key="e1", debtor_iban="NL02 ABNA 0123 4567 89").pk == first.pk
    with pytest.raises(ValidationError) as exc_info:
        export(world, idempotency_key="e1", execution_date=timezone.localdate() + datetime.timedelta(days=1))
    assert OTHER_CONTENT in refused(exc_info)
    assert PaymentBatch.objects.count() == 1


def test_marking_another_batch_paid_with_a_used_key_is_refused(setup):
    world, case, budget = setup
    services.approve_spend(request(world.alice, case), by=world.dave)
    first = export(world)
    services.withdraw_batch(first, by=world.adam, reason="Bank weigerde het bestand")
    second = export(world)
    services.mark_batch_paid(second, by=world.adam, idempotency_key="b1")
    assert services.mark_batch_paid(second, by=world.adam, idempotency_key="b1").pk == second.pk
    with pytest.raises(ValidationError) as exc_info:
        services.mark_batch_paid(first, by=world.adam, idempotency_key="b1")
    assert OTHER_CONTENT in refused(exc_info)


def test_the_key_stores_a_hash_of_the_request_not_its_content(setup):
    world, case, _ = setup
    request(world.alice, case, creditor_name="Energie BV", idempotency_key="k1")
    row = IdempotencyKey.objects.get(key="k1")
    assert len(row.payload_hash) == 64 and int(row.payload_hash, 16) >= 0
    assert "Energie" not in row.payload_hash and IBAN not in row.payload_hash


def test_a_key_stored_before_hashes_were_kept_still_answers_a_retry(setup):
    world, case, _ = setup
    first = request(world.alice, case, idempotency_key="k1")
    IdempotencyKey.objects.filter(key="k1").update(payload_hash="")
    assert request(world.alice, case, "100.50", idempotency_key="k1").pk == first.pk


def test_canonical_hash_ignores_key_order():
    assert services.payload_hash({"a": 1, "b": "x"}) == services.payload_hash({"b": "x", "a": 1})
    assert services.payload_hash({"a": 1}) != services.payload_hash({"a": 2})


# --- API ------------------------------------------------------------------------------------------------


def test_api_reused_key_with_another_body_answers_422_in_dutch(setup, client_for):
    world, case, _ = setup
    alice = client_for(world.alice)
    first = post(alice, f"{API}/spends", spend_payload(case), **{"Idempotency-Key": "x1"})
    assert first.status_code == 201
    again = post(alice, f"{API}/spends", spend_payload(case, amount="150"), **{"Idempotency-Key": "x1"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    other = post(alice, f"{API}/spends", spend_payload(case, amount="999.00"), **{"Idempotency-Key": "x1"})
    assert other.status_code == 422
    assert OTHER_CONTENT in other.json()["errors"]["idempotency_key"][0]
    assert SpendRequest.objects.count() == 1


def test_api_approve_of_another_spend_with_a_used_key_answers_422(setup, client_for):
    world, case, _ = setup
    one, two = request(world.alice, case), request(world.alice, case)
    dave = client_for(world.dave)
    assert post(dave, f"{API}/spends/{one.pk}/approve", **{"Idempotency-Key": "y1"}).status_code == 200
    r = post(dave, f"{API}/spends/{two.pk}/approve", **{"Idempotency-Key": "y1"})
    assert r.status_code == 422 and OTHER_CONTENT in r.json()["errors"]["idempotency_key"][0]
    assert SpendRequest.objects.get(pk=two.pk).status == "requested"


def test_api_batch_export_with_a_used_key_and_another_debtor_answers_422(setup, client_for):
    world, case, _ = setup
    services.approve_spend(request(world.alice, case), by=world.dave)
    adam = client_for(world.adam)
    body = {
        "debtor_name": "Gemeente Eindhoven",
        "debtor_iban": "NL02ABNA0123456789",
        "execution_date": timezone.localdate().isoformat(),
    }
    assert post(adam, f"{API}/payments/batches", body, **{"Idempotency-Key": "z1"}).status_code == 201
    assert post(adam, f"{API}/payments/batches", body, **{"Idempotency-Key": "z1"}).status_code == 201
    r = post(
        adam, f"{API}/payments/batches", body | {"debtor_name": "Gemeente X"}, **{"Idempotency-Key": "z1"}
    )
    assert r.status_code == 422 and OTHER_CONTENT in r.json()["errors"]["idempotency_key"][0]
    assert PaymentBatch.objects.count() == 1


# --- pages ----------------------------------------------------------------------------------------------


def test_changed_spend_form_sent_with_its_old_key_is_refused_then_sent_again_is_booked(setup, client_for):
    world, case, _ = setup
    c = client_for(world.alice)
    url = reverse("budgets:spend_new", args=[case.pk])
    data = {
        "idempotency_key": "form-1",
        "channel": "maatwerkbudget",
        "amount": "125,50",
        "purpose": "Huurachterstand",
        "kind": "rent_arrears",
        "legal_basis": "rule_free",
        "payee_kind": "bank",
        "creditor_name": "Woonbedrijf",
        "iban": IBAN,
    }
    assert c.post(url, data).status_code == 302
    # Back in the browser, the amount changed, sent again: the old key now belongs to another request.
    response = c.post(url, data | {"amount": "200,00"})
    assert response.status_code == 422
    assert FORM_SENT in response.content.decode()
    fresh = response.context["form"]["idempotency_key"].value()
    assert fresh and fresh != "form-1"
    assert SpendRequest.objects.count() == 1
    assert c.post(url, data | {"amount": "200,00", "idempotency_key": fresh}).status_code == 302
    assert sorted(SpendRequest.objects.values_list("amount", flat=True)) == [
        Decimal("125.50"),
        Decimal("200.00"),
    ]
