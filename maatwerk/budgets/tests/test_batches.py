"""Payment batches: an exported SEPA file is recorded, marked paid in one go, all or nothing, once."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import make_user
from maatwerk.accounts.models import AccessLog, Membership, Role
from maatwerk.budgets import services
from maatwerk.budgets.exports import PAIN_001_NS
from maatwerk.budgets.models import (
    BatchStatus,
    Channel,
    LedgerEntry,
    PaymentBatch,
    PaymentBatchItem,
    SpendStatus,
)

from .factories import EXECUTION_DATE, make_budget, make_case, request, standard_mandates
from .factories import post_json as post

API = "/api/v1/budget"
DEBTOR = {
    "debtor_name": "Gemeente Eindhoven",
    "debtor_iban": "NL02ABNA0123456789",
    "execution_date": EXECUTION_DATE,
}


@pytest.fixture
def setup(world):
    """Team A's budget (€ 1.000) and the municipality's special-assistance budget (€ 1.000, no team)."""
    standard_mandates(world.eindhoven, bb_user=world.lars)
    case = make_case(world.team_a)
    budget = make_budget(world, amount="1000.00")
    municipal = make_budget(
        world, channel=Channel.BIJZONDERE_BIJSTAND, amount="1000.00", municipality_wide=True
    )
    return world, case, budget, municipal


def approved(world, case, amount, *, by=None, approver=None, **kwargs):
    spend = request(by or world.alice, case, amount, **kwargs)
    services.approve_spend(spend, by=approver or world.dave)
    spend.refresh_from_db()
    return spend


def export(world, by=None, **kwargs):
    return services.export_payment_batch(
        by=by or world.adam, municipality=world.eindhoven, **(DEBTOR | kwargs)
    )


# --- the service ----------------------------------------------------------------------------------------


def test_batch_payment_books_each_spend_like_a_single_payment(setup):
    world, case, budget, municipal = setup
    one = approved(world, case, "100.00")
    two = approved(world, case, "250.50")
    bb = approved(world, case, "200.00", channel=Channel.BIJZONDERE_BIJSTAND, approver=world.lars)
    assert bb.budget_id == municipal.pk
    batch = export(world)
    assert (batch.count, batch.total, batch.status) == (3, Decimal("550.50"), BatchStatus.EXPORTED)
    assert budget.balances().committed == Decimal("350.50")

    paid = services.mark_batch_paid(batch, by=world.adam)

    assert paid.status == BatchStatus.PAID and paid.closure.closed_by == world.adam
    b = budget.balances()
    assert (b.allocated, b.committed, b.paid, b.available) == (
        Decimal("1000"),
        Decimal("0"),
        Decimal("350.50"),
        Decimal("649.50"),
    )
    m = municipal.balances()
    assert (m.committed, m.paid, m.available) == (Decimal("0"), Decimal("200"), Decimal("800"))
    for spend in (one, two, bb):
        spend.refresh_from_db()
        assert spend.status == SpendStatus.PAID and spend.paid_by == world.adam
        kinds = sorted(LedgerEntry.objects.filter(spend=spend).values_list("kind", "note"))
        assert kinds == [("commitment", ""), ("payment", batch.message_id), ("release", "payment")]
    assert AccessLog.objects.filter(purpose="pay spend").count() == 3
    assert AccessLog.objects.filter(purpose="mark batch paid", object_id=str(batch.pk)).count() == 1

    # The same ledger path as pay_spend: a payment the bank returns is reversed as usual, and the
    # request (approved again, in no open batch) goes into the next export.
    services.reverse_payment(two, by=world.adam, reason="IBAN onbekend bij de bank")
    assert budget.balances().committed == Decimal("250.50")
    assert list(export(world).items.values_list("spend_id", flat=True)) == [two.pk]


def test_a_stale_spend_refuses_the_whole_batch_and_names_it(setup):
    world, case, budget, _ = setup
    keep = approved(world, case, "100.00")
    paid_alone = approved(world, case, "120.00")
    batch = export(world)
    services.pay_spend(paid_alone, by=world.adam)
    entries_before = LedgerEntry.objects.count()

    with pytest.raises(ValidationError) as exc:
        services.mark_batch_paid(batch, by=world.adam)

    errors = exc.value.message_dict
    assert f"{paid_alone.reference} kan niet meer worden betaald: deze is betaald." in errors["status"]
    assert keep.reference not in " ".join(errors["status"])
    assert "Er is niets in deze batch als betaald gemarkeerd" in errors["batch"][0]
    keep.refresh_from_db()
    assert keep.status == SpendStatus.APPROVED
    assert LedgerEntry.objects.count() == entries_before
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED

    # Way out: withdraw the batch (books nothing), export what is still approved again.
    services.withdraw_batch(batch, by=world.adam, reason="Bank heeft het bestand geweigerd")
    assert LedgerEntry.objects.count() == entries_before
    again = export(world)
    assert list(again.items.values_list("spend_id", flat=True)) == [keep.pk]
    services.mark_batch_paid(again, by=world.adam)
    assert budget.balances().paid == Decimal("220.00")


def test_mark_batch_paid_is_idempotent(setup):
    world, case, budget, _ = setup
    spend = approved(world, case, "300.00")
    batch = export(world)
    first = services.mark_batch_paid(batch, by=world.adam, idempotency_key="batch-pay-1")
    again = services.mark_batch_paid(batch, by=world.adam, idempotency_key="batch-pay-1")
    assert first.pk == again.pk and again.status == BatchStatus.PAID
    assert LedgerEntry.objects.filter(spend=spend, kind="payment").count() == 1
    assert budget.balances().paid == Decimal("300.00")
    # Without the key a second call is refused, and books nothing either.
    with pytest.raises(ValidationError) as exc:
        services.mark_batch_paid(batch, by=world.adam)
    assert exc.value.message_dict["batch"] == ["Deze batch is al betaald."]
    assert LedgerEntry.objects.filter(spend=spend, kind="payment").count() == 1


def test_export_is_idempotent_too(setup):
    world, case, _, _ = setup
    approved(world, case, "100.00")
    assert export(world, idempotency_key="exp-1").pk == export(world, idempotency_key="exp-1").pk
    assert PaymentBatch.objects.count() == 1


def test_who_may_mark_a_batch_paid_is_who_may_pay_each_spend(setup, world):
    world, case, _, _ = setup
    bea = make_user("bea", Role.TEAM_LEAD, team=world.team_b)
    case_b = make_case(world.team_b, name="De Vries")
    make_budget(world, team=world.team_b, amount="1000.00")
    in_a = approved(world, case, "100.00")
    in_b = approved(world, case_b, "100.00", by=world.bob, approver=bea)
    batch = export(world)
    # A worker, a legality checker and a team lead (also the one of the team) may not pay any of it.
    for user in (world.alice, world.lars, world.dave, bea):
        with pytest.raises(ValidationError) as exc:
            services.mark_batch_paid(batch, by=user)
        assert len(exc.value.message_dict["payer"]) == 2
    assert exc.value.message_dict["payer"][1] == (
        f"{in_b.reference}: Alleen een functioneel beheerder van deze gemeente mag een aanvraag als betaald "
        "markeren."
    )
    assert LedgerEntry.objects.filter(kind="payment").count() == 0
    # The administrator of the municipality may.
    services.mark_batch_paid(batch, by=world.adam)
    for spend in (in_a, in_b):
        spend.refresh_from_db()
        assert spend.status == SpendStatus.PAID


def test_four_eyes_hold_for_a_batch(setup, world):
    world, case, _, _ = setup
    # An administrator who is also team lead of team A requested this one; his colleague Wim approved
    # it. Another administrator exported it; he may not mark it paid.
    ada = make_user("ada", Role.ADMIN, municipality=world.eindhoven)
    Membership.objects.create(user=ada, role=Role.TEAM_LEAD, team=world.team_a, municipality=world.eindhoven)
    wim = make_user("wim", Role.WORKER, team=world.team_a)
    own = approved(world, case, "100.00", by=ada, approver=wim)
    batch = export(world)
    with pytest.raises(ValidationError) as exc:
        services.mark_batch_paid(batch, by=ada)
    assert own.reference in exc.value.message_dict["payer"][0]
    assert "vier-ogenprincipe" in exc.value.message_dict["payer"][0]


def test_another_municipality_cannot_export_pay_or_withdraw(setup):
    world, case, _, _ = setup
    approved(world, case, "100.00")
    ulla = make_user("ulla", Role.ADMIN, municipality=world.utrecht)
    with pytest.raises(PermissionDenied, match="beheerder van deze gemeente"):
        export(world, by=ulla)
    batch = export(world)
    with pytest.raises(ValidationError):  # per request in the batch: who may pay it
        services.mark_batch_paid(batch, by=ulla)
    with pytest.raises(PermissionDenied):
        services.withdraw_batch(batch, by=ulla, reason="x")
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED


def test_a_spend_in_an_open_batch_is_not_exported_again(setup):
    world, case, _, _ = setup
    first_spend = approved(world, case, "100.00")
    approved(world, case, "50.00", payee_kind="in_kind")  # in kind: never in a SEPA file
    first = export(world)
    assert list(first.items.values_list("spend_id", flat=True)) == [first_spend.pk]
    with pytest.raises(ValidationError) as exc:
        export(world)
    assert "al in een geëxporteerde batch" in exc.value.message_dict["spends"][0]
    later = approved(world, case, "70.00")
    second = export(world)
    assert list(second.items.values_list("spend_id", flat=True)) == [later.pk]
    assert PaymentBatchItem.objects.filter(spend=first_spend).count() == 1


def test_bad_debtor_details_are_named_per_field(setup):
    world, case, _, _ = setup
    approved(world, case, "100.00")
    with pytest.raises(ValidationError) as exc:
        export(world, debtor_name=" ", debtor_iban="NL00XXXX0000000000", debtor_bic="NOPE")
    assert set(exc.value.message_dict) == {"debtor_name", "debtor_iban", "debtor_bic"}
    assert not PaymentBatch.objects.exists()


def test_batch_rows_are_append_only(setup):
    from maatwerk.accounts.models import AppendOnlyError

    world, case, _, _ = setup
    approved(world, case, "100.00")
    batch = export(world)
    with pytest.raises(AppendOnlyError):
        batch.save()
    with pytest.raises(AppendOnlyError):
        PaymentBatchItem.objects.filter(batch=batch).delete()


# --- pages ----------------------------------------------------------------------------------------------


def test_admin_exports_confirms_and_marks_a_batch_paid_in_the_ui(setup, client_for):
    world, case, budget, _ = setup
    one = approved(world, case, "100.00")
    two = approved(world, case, "200.00")
    c = client_for(world.adam)
    page = c.get(reverse("budgets:payments")).content.decode()
    assert one.reference in page and "Nog geen betaalbatches." in page
    form = {
        "municipality": world.eindhoven.pk,
        "debtor_name": "Gemeente Eindhoven",
        "debtor_iban": "NL02 ABNA 0123 4567 89",
        "execution_date": EXECUTION_DATE.isoformat(),
        "idempotency_key": "page-1",
    }
    assert c.post(reverse("budgets:batch_create"), form).status_code == 302
    assert c.post(reverse("budgets:batch_create"), form).status_code == 302  # a double submit: one batch
    batch = PaymentBatch.objects.get()
    page = c.get(reverse("budgets:payments")).content.decode()
    assert batch.message_id in page and "geëxporteerd, nog niet als betaald gemarkeerd" in page
    assert "2 goedgekeurde aanvragen zitten in een geëxporteerde batch" in page
    assert one.reference not in page  # no longer listed as waiting for export

    spend_page = c.get(reverse("budgets:spend", args=[one.pk])).content.decode()
    assert batch.message_id in spend_page

    url = reverse("budgets:batch", args=[batch.pk])
    body = c.get(url).content.decode()
    assert "€ 300,00" in body and one.reference in body and two.reference in body
    xml = c.get(reverse("budgets:batch_sepa", args=[batch.pk]))
    root = ET.fromstring(xml.content)  # noqa: S314 (our own output)
    ns = {"p": PAIN_001_NS}
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ns).text == batch.message_id
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", ns).text == "300.00"
    assert c.get(reverse("budgets:batch_sepa", args=[batch.pk])).content == xml.content  # same file again
    assert two.reference in c.get(reverse("budgets:batch_csv", args=[batch.pk])).content.decode()

    # Without ticking the confirmation nothing happens.
    pay_url = reverse("budgets:batch_pay", args=[batch.pk])
    response = c.post(pay_url, {"idempotency_key": "pay-1"})
    assert response.status_code == 422
    assert "Vink het vakje aan" in response.content.decode()
    assert budget.balances().paid == Decimal("0")
    assert c.post(pay_url, {"confirm": "on", "idempotency_key": "pay-1"}).status_code == 302
    assert c.post(pay_url, {"confirm": "on", "idempotency_key": "pay-1"}).status_code == 302  # retried
    assert budget.balances().paid == Decimal("300.00")
    body = c.get(url).content.decode()
    assert "Batch als betaald markeren" not in body
    # Without the key a second submit says the batch is paid already.
    response = c.post(pay_url, {"confirm": "on"})
    assert response.status_code == 422 and "Deze batch is al betaald." in response.content.decode()


def test_stale_spend_is_named_on_the_batch_page(setup, client_for):
    world, case, _, _ = setup
    approved(world, case, "100.00")
    stale = approved(world, case, "200.00")
    batch = export(world)
    services.pay_spend(stale, by=world.adam)
    c = client_for(world.adam)
    response = c.post(reverse("budgets:batch_pay", args=[batch.pk]), {"confirm": "on"})
    assert response.status_code == 422
    body = response.content.decode()
    assert f"{stale.reference} kan niet meer worden betaald" in body
    response = c.post(reverse("budgets:batch_withdraw", args=[batch.pk]), {"withdraw-reason": ""})
    assert response.status_code == 422
    response = c.post(reverse("budgets:batch_withdraw", args=[batch.pk]), {"withdraw-reason": "Geweigerd"})
    assert response.status_code == 302
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.WITHDRAWN


def test_nothing_new_to_export_is_said_on_the_page(setup, client_for):
    world, case, _, _ = setup
    approved(world, case, "100.00")
    export(world)
    response = client_for(world.adam).post(
        reverse("budgets:batch_create"),
        {"municipality": world.eindhoven.pk, "debtor_name": "G", "debtor_iban": DEBTOR["debtor_iban"]}
        | {"execution_date": EXECUTION_DATE.isoformat()},
    )
    assert response.status_code == 422
    assert "Er is niets te exporteren" in response.content.decode()
    assert PaymentBatch.objects.count() == 1


def test_batches_are_not_visible_outside_the_municipal_administration(setup, client_for):
    world, case, _, _ = setup
    approved(world, case, "100.00")
    batch = export(world)
    ulla = make_user("ulla", Role.ADMIN, municipality=world.utrecht)
    for user in (world.dave, world.alice, world.carol, ulla):
        c = client_for(user)
        for name in ("batch", "batch_sepa", "batch_csv"):
            assert c.get(reverse(f"budgets:{name}", args=[batch.pk])).status_code in (403, 404)
        assert c.get(reverse("budgets:batch", args=[batch.pk])).status_code == 404
        assert c.post(reverse("budgets:batch_pay", args=[batch.pk]), {"confirm": "on"}).status_code == 404
        assert post(c, f"{API}/payments/batches/{batch.pk}/mark-paid").status_code == 404
        assert c.get(f"{API}/payments/batches/{batch.pk}").status_code == 404
    assert client_for(ulla).get(f"{API}/payments/batches").json() == []
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.EXPORTED


# --- API ------------------------------------------------------------------------------------------------


def test_batch_through_the_api(setup, client_for):
    world, case, budget, _ = setup
    one = approved(world, case, "100.00")
    adam = client_for(world.adam)
    payload = {"debtor_name": "Gemeente Eindhoven", "debtor_iban": "NL02ABNA0123456789"} | {
        "execution_date": EXECUTION_DATE.isoformat()
    }
    r = post(adam, f"{API}/payments/batches", payload, **{"Idempotency-Key": "e1"})
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["spend_ids"] == [one.pk] and created["status"] == "exported"
    assert (
        post(adam, f"{API}/payments/batches", payload, **{"Idempotency-Key": "e1"}).json()["id"]
        == created["id"]
    )
    nothing = post(adam, f"{API}/payments/batches", payload)
    assert nothing.status_code == 422 and "spends" in nothing.json()["errors"]
    assert [b["id"] for b in adam.get(f"{API}/payments/batches?status=exported").json()] == [created["id"]]
    xml = adam.get(f"{API}/payments/batches/{created['id']}/sepa.xml")
    assert xml.status_code == 200 and created["message_id"].encode() in xml.content

    url = f"{API}/payments/batches/{created['id']}/mark-paid"
    r = post(adam, url, **{"Idempotency-Key": "p1"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "paid" and r.json()["closed_by_id"] == world.adam.pk
    assert post(adam, url, **{"Idempotency-Key": "p1"}).json()["status"] == "paid"
    assert LedgerEntry.objects.filter(spend=one, kind="payment").count() == 1
    assert budget.balances().paid == Decimal("100.00")
    again = post(adam, url)
    assert again.status_code == 422 and again.json()["errors"]["batch"] == ["Deze batch is al betaald."]


def test_stale_spend_and_withdraw_through_the_api(setup, client_for):
    world, case, _, _ = setup
    approved(world, case, "100.00")
    stale = approved(world, case, "200.00")
    adam = client_for(world.adam)
    batch = export(world)
    services.pay_spend(stale, by=world.adam)
    r = post(adam, f"{API}/payments/batches/{batch.pk}/mark-paid")
    assert r.status_code == 422
    assert stale.reference in r.json()["errors"]["status"][0]
    assert post(adam, f"{API}/payments/batches/{batch.pk}/withdraw", {"reason": ""}).status_code == 422
    r = post(adam, f"{API}/payments/batches/{batch.pk}/withdraw", {"reason": "Bestand niet verstuurd"})
    assert r.json()["status"] == "withdrawn" and r.json()["reason"] == "Bestand niet verstuurd"


def test_a_spend_in_an_open_batch_cannot_be_cancelled_until_the_batch_is_withdrawn(setup):
    # The file may already be at the bank: releasing the money would let it be spent twice.
    world, case, budget, _ = setup
    spend = approved(world, case, "300.00")
    batch = export(world)
    with pytest.raises(ValidationError) as exc:
        services.cancel_spend(spend, by=world.alice, reason="Niet meer nodig")
    assert "batch" in exc.value.message_dict["status"][0]
    spend.refresh_from_db()
    assert spend.status == SpendStatus.APPROVED
    assert budget.balances().committed == Decimal("300.00")

    services.withdraw_batch(batch, by=world.adam, reason="Bestand niet verstuurd")
    services.cancel_spend(spend, by=world.alice, reason="Niet meer nodig")
    assert budget.balances().committed == Decimal("0.00")


def test_the_spend_page_offers_no_cancel_while_the_spend_is_in_an_open_batch(setup, client_for):
    world, case, _, _ = setup
    spend = approved(world, case, "300.00")
    url = f"/budget/aanvragen/{spend.pk}/"
    assert "cancel-heading" in client_for(world.alice).get(url).content.decode()
    export(world)
    body = client_for(world.alice).get(url).content.decode()
    assert "cancel-heading" not in body
    assert "nadat een beheerder die batch heeft ingetrokken" in body
