import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from maatwerk.budgets import services
from maatwerk.budgets.exports import PAIN_001_NS, csv_cell
from maatwerk.budgets.models import LedgerEntry, PaymentBatch, SpendRequest, SpendStatus

from .factories import EXECUTION_DATE, IBAN, make_budget, make_case, request, standard_mandates

NS = {"p": PAIN_001_NS}


@pytest.fixture
def setup(world):
    standard_mandates(world.eindhoven)
    case = make_case(world.team_a)
    budget = make_budget(world, amount="1000.00")
    return world, case, budget


def test_overview_for_team_lead_shows_balances_and_waiting_requests(setup, client_for):
    world, case, _ = setup
    spend = request(world.alice, case, "120.00")
    body = client_for(world.dave).get(reverse("budgets:overview")).content.decode()
    assert "€ 1.000,00" in body and spend.reference in body
    assert "Wachten op uw goedkeuring" in body


def test_overview_is_not_for_workers_or_checkers(setup, client_for):
    world, _, _ = setup
    assert client_for(world.alice).get(reverse("budgets:overview")).status_code == 403
    assert client_for(world.lars).get(reverse("budgets:checks")).status_code == 200
    assert client_for(world.dave).get(reverse("budgets:checks")).status_code == 403


def test_other_team_and_municipality_get_404(setup, client_for):
    world, case, budget = setup
    spend = request(world.alice, case)
    for user in (world.bob, world.carol):
        assert client_for(user).get(reverse("budgets:spend", args=[spend.pk])).status_code == 404
        assert client_for(user).get(reverse("budgets:budget", args=[budget.pk])).status_code == 404
        assert client_for(user).get(reverse("budgets:spend_new", args=[case.pk])).status_code == 404


def test_worker_requests_money_through_the_form_once(setup, client_for):
    world, case, _ = setup
    c = client_for(world.alice)
    url = reverse("budgets:spend_new", args=[case.pk])
    assert c.get(url).status_code == 200
    data = {
        "idempotency_key": "form-1",
        "channel": "maatwerkbudget",
        "amount": "125,50",
        "purpose": "Huurachterstand",
        "kind": "rent_arrears",
        "legal_basis": "rule_free",
        "payee_kind": "bank",
        "creditor_name": "Woonbedrijf",
        "iban": "NL91 ABNA 0417 1643 00",
    }
    assert c.post(url, data).status_code == 302
    assert c.post(url, data).status_code == 302  # a double submit books once
    spend = SpendRequest.objects.get()
    assert spend.amount == Decimal("125.50") and spend.iban == IBAN
    assert spend.kind == "rent_arrears"


def test_request_form_shows_dutch_field_errors(setup, client_for):
    world, case, _ = setup
    data = {
        "channel": "maatwerkbudget",
        "amount": "10",
        "purpose": "x",
        "kind": "other",
        "legal_basis": "rule_free",
        "payee_kind": "bank",
        "creditor_name": "X",
        "iban": "NL00XXXX0000000000",
    }
    response = client_for(world.alice).post(reverse("budgets:spend_new", args=[case.pk]), data)
    assert response.status_code == 422
    assert "Dit is geen geldig IBAN." in response.content.decode()


def test_self_approval_is_refused_in_the_ui(setup, client_for):
    world, case, _ = setup
    spend = request(world.dave, case)
    response = client_for(world.dave).post(reverse("budgets:spend_action", args=[spend.pk, "approve"]))
    assert response.status_code == 403
    assert "eigen aanvraag" in response.content.decode()
    spend.refresh_from_db()
    assert spend.status == SpendStatus.REQUESTED


def test_approval_above_mandate_is_refused_in_the_ui(setup, client_for):
    world, case, budget = setup
    services.allocate(budget, by=world.adam, amount=Decimal("5000"))
    spend = request(world.alice, case, "3000.00")
    response = client_for(world.dave).post(reverse("budgets:spend_action", args=[spend.pk, "approve"]))
    assert response.status_code == 403
    assert "boven uw mandaat" in response.content.decode()


def test_special_assistance_without_mandated_approver_is_refused_in_the_ui(setup, client_for):
    world, case, _ = setup
    make_budget(world, channel="bijzondere_bijstand", amount="1000.00")
    spend = request(world.alice, case, "100.00", channel="bijzondere_bijstand")
    response = client_for(world.dave).post(reverse("budgets:spend_action", args=[spend.pk, "approve"]))
    assert response.status_code == 403
    assert "gemandateerde ambtenaar" in response.content.decode()


def test_team_lead_approves_and_retry_books_once(setup, client_for):
    world, case, _ = setup
    spend = request(world.alice, case, "100.00")
    c = client_for(world.dave)
    url = reverse("budgets:spend_action", args=[spend.pk, "approve"])
    assert c.post(url, {"idempotency_key": "k1"}).status_code == 302
    assert c.post(url, {"idempotency_key": "k1"}).status_code == 302
    assert LedgerEntry.objects.filter(spend=spend, kind="commitment").count() == 1


def test_reject_without_reason_is_refused(setup, client_for):
    world, case, _ = setup
    spend = request(world.alice, case)
    url = reverse("budgets:spend_action", args=[spend.pk, "reject"])
    assert client_for(world.dave).post(url, {"reject-reason": ""}).status_code == 422
    assert client_for(world.dave).post(url, {"reject-reason": "Voorliggend"}).status_code == 302


def test_legality_checker_records_a_check(setup, client_for):
    world, case, budget = setup
    services.allocate(budget, by=world.adam, amount=Decimal("5000"))
    spend = request(world.alice, case, "1500.00")
    c = client_for(world.lars)
    assert spend.reference in c.get(reverse("budgets:checks")).content.decode()
    data = {
        f"check-{k}": "on"
        for k in (
            "legal_basis_ok",
            "mandate_ok",
            "deviation_ok",
            "prior_provisions_considered",
            "amount_reasonable",
        )
    }
    data["check-verdict"] = "lawful"
    assert c.post(reverse("budgets:spend_action", args=[spend.pk, "check"]), data).status_code == 302
    services.approve_spend(spend, by=world.dave)


def test_admin_exports_sepa_and_csv_and_pays(setup, client_for):
    world, case, _ = setup
    spend = request(world.alice, case, "250.00", creditor_name="=HYPERLINK(evil)")
    services.approve_spend(spend, by=world.dave)
    c = client_for(world.adam)
    assert c.get(reverse("budgets:payments")).status_code == 200
    response = c.post(
        reverse("budgets:batch_create"),
        {
            "municipality": world.eindhoven.pk,
            "debtor_name": "Gemeente Eindhoven",
            "debtor_iban": "NL02ABNA0123456789",
            "execution_date": EXECUTION_DATE.isoformat(),
        },
    )
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("budgets:batch", args=[batch.pk])
    xml = c.get(reverse("budgets:batch_sepa", args=[batch.pk]))
    assert xml.status_code == 200
    root = ET.fromstring(xml.content)  # noqa: S314 (our own output)
    assert root.tag == f"{{{PAIN_001_NS}}}Document"
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", NS).text == batch.message_id
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", NS).text == "1"
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", NS).text == "250.00"
    tx = root.find("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", NS)
    assert tx.find("p:Amt/p:InstdAmt", NS).attrib["Ccy"] == "EUR"
    assert tx.find("p:CdtrAcct/p:Id/p:IBAN", NS).text == IBAN
    assert tx.find("p:PmtId/p:EndToEndId", NS).text == spend.reference
    csv = c.get(reverse("budgets:export_csv")).content.decode()
    assert "'=HYPERLINK(evil)" in csv and "250.00" in csv
    assert c.post(reverse("budgets:spend_action", args=[spend.pk, "pay"])).status_code == 302
    spend.refresh_from_db()
    assert spend.status == SpendStatus.PAID


def test_csv_cell_escapes_formulas():
    assert csv_cell("+31") == "'+31" and csv_cell("ok") == "ok"


def test_admin_creates_budget_and_allocates(world, client_for):
    c = client_for(world.adam)
    response = c.post(
        reverse("budgets:budget_create"),
        {
            "team": world.team_b.pk,
            "channel": "maatwerkbudget",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    assert c.post(url + "toekennen/", {"amount": "2500,00"}).status_code == 302
    assert "€ 2.500,00" in c.get(url).content.decode()
    assert client_for(world.dave).post(url + "toekennen/", {"amount": "1"}).status_code == 404


def test_pages_render_for_each_role(setup, client_for):
    world, case, budget = setup
    spend = request(world.alice, case)
    assert client_for(world.adam).get(reverse("budgets:overview")).status_code == 200
    for user in (world.alice, world.dave, world.lars, world.adam):
        body = client_for(user).get(reverse("budgets:spend", args=[spend.pk])).content.decode()
        assert spend.reference in body
    body = client_for(world.alice).get(reverse("budgets:spend", args=[spend.pk])).content.decode()
    assert "Aanvraag intrekken" in body and "Goedkeuren" not in body
    assert (
        "Goedkeuren" in client_for(world.dave).get(reverse("budgets:spend", args=[spend.pk])).content.decode()
    )
