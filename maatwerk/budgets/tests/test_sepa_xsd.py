"""Every SEPA file validates against the official pain.001.001.03 schema, or it is not given out at all."""

import json
import logging
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from maatwerk.accounts.models import AccessLog
from maatwerk.budgets import exports, services
from maatwerk.budgets.models import PaymentBatch, PaymentBatchItem, SpendRequest
from maatwerk.lib.sepa import PAIN_001_NS, TEXT_PATTERN, pain_001_errors, pain_001_schema

from .factories import EXECUTION_DATE, make_budget, make_case, request, standard_mandates

API = "/api/v1/budget"
NS = {"p": PAIN_001_NS}
DEBTOR_NAME = "Gemeente 's-Hertogenbosch & Sociaal Domein — Zorg 🏛"
LONG_PURPOSE = (
    "Huur en energie voor de maanden januari tot en met maart van het gezin aan de Dorpsstraat " * 2
)[:140].strip()
AWKWARD = [
    ("Ümit Çelik-Öztürk", "Kinderopvang voor Ümit (één jaar)"),
    ("Zorg & Welzijn B.V.", "Begeleiding & vervoer"),
    ("Bakkerij 😀 De Zon", "Brood 🍞 voor de buurt"),
    ("😀🎉", "🎉🎉"),
    ("Stichting Wonen", "Huur"),
]
# 68 characters, which the form takes; transliterated (ß -> ss, Æ -> AE) it is 71, over SEPA's 70.
LONG_NAME = "Stichting Maatschappelijke Dienstverlening Großstraße Ærø Schuldhulp"


@pytest.fixture
def setup(world):
    standard_mandates(world.eindhoven)
    case = make_case(world.team_a)
    make_budget(world, amount="900000.00")
    return world, case


def approved(world, case, amount="100.00", **kwargs):
    spend = request(world.alice, case, amount, **kwargs)
    services.approve_spend(spend, by=world.dave)
    spend.refresh_from_db()
    return spend


def awkward_spends(world, case):
    spends = [approved(world, case, "123.45", creditor_name=n, purpose=p) for n, p in AWKWARD]
    spends.append(approved(world, case, "10.00", creditor_name=LONG_NAME, purpose=LONG_PURPOSE))
    # With the reference in front, a purpose of 140 (the form's limit) is over SEPA's 140.
    assert len(f"{spends[-1].reference} {LONG_PURPOSE}") > 140
    return spends


def web_form(world, **kwargs):
    return {
        "municipality": world.eindhoven.pk,
        "debtor_name": DEBTOR_NAME,
        "debtor_iban": "NL02ABNA0123456789",
        "execution_date": EXECUTION_DATE.isoformat(),
    } | kwargs


def api_payload():
    return {"debtor_name": DEBTOR_NAME, "debtor_iban": "NL02ABNA0123456789"} | {
        "execution_date": EXECUTION_DATE.isoformat()
    }


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def assert_valid(data: bytes) -> ET.Element:
    assert pain_001_schema().is_valid(data.decode())  # the official XSD, on its own
    assert pain_001_errors(data) == []  # and the SEPA character set
    root = ET.fromstring(data)  # noqa: S314 (our own output)
    for el in root.iter():
        if el.tag.rpartition("}")[2] in ("Nm", "Ustrd"):
            assert TEXT_PATTERN.fullmatch(el.text)
    return root


def texts(root, path):
    return [el.text for el in root.findall(path, NS)]


def assert_awkward_texts(root, spends):
    tx = "p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf"
    assert texts(root, f"{tx}/p:Cdtr/p:Nm") == [
        "Umit Celik-Ozturk",
        "Zorg + Welzijn B.V.",
        "Bakkerij De Zon",
        "-",
        "Stichting Wonen",
        "Stichting Maatschappelijke Dienstverlening Grossstrasse AEro",
    ]
    purposes = texts(root, f"{tx}/p:RmtInf/p:Ustrd")
    assert purposes[0] == f"{spends[0].reference} Kinderopvang voor Umit (een jaar)"
    assert purposes[2] == f"{spends[2].reference} Brood voor de buurt"
    assert purposes[3] == spends[3].reference
    assert len(purposes[5]) <= 140 and f"{spends[5].reference} {LONG_PURPOSE}".startswith(purposes[5] + " ")
    assert texts(root, "p:CstmrCdtTrfInitn/p:PmtInf/p:Dbtr/p:Nm") == [
        "Gemeente 's-Hertogenbosch + Sociaal Domein - Zorg"
    ]


def test_awkward_names_and_texts_give_a_valid_file_through_the_web(setup, client_for):
    world, case = setup
    spends = awkward_spends(world, case)
    c = client_for(world.adam)
    assert c.post(reverse("budgets:batch_create"), web_form(world)).status_code == 302
    batch = PaymentBatch.objects.get()
    response = c.get(reverse("budgets:batch_sepa", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert_awkward_texts(assert_valid(response.content), spends)


def test_awkward_names_and_texts_give_a_valid_file_through_the_api(setup, client_for):
    world, case = setup
    spends = awkward_spends(world, case)
    adam = client_for(world.adam)
    created = post_json(adam, f"{API}/payments/batches", api_payload())
    assert created.status_code == 201, created.content
    response = adam.get(f"{API}/payments/batches/{created.json()['id']}/sepa.xml")
    assert response.status_code == 200
    assert_awkward_texts(assert_valid(response.content), spends)


def test_five_hundred_transfers_in_one_batch_validate_and_add_up(setup, client_for):
    world, case = setup
    first = approved(world, case, "0.01")
    # 499 more approved transfers as rows (the request/approve path is tested elsewhere; here it is
    # the file's size and sums), with amounts that need their cents.
    rows = []
    for i in range(1, 500):
        row = SpendRequest.objects.get(pk=first.pk)
        row.pk = None
        row.amount = Decimal(i) + Decimal("0.37")
        row.creditor_name = f"Crediteur {i} Ærø & Søn"
        rows.append(row)
    SpendRequest.objects.bulk_create(rows)
    expected = sum(SpendRequest.objects.values_list("amount", flat=True), Decimal(0))

    batch = services.export_payment_batch(
        by=world.adam,
        municipality=world.eindhoven,
        debtor_name="Gemeente Eindhoven",
        debtor_iban="NL02ABNA0123456789",
        execution_date=EXECUTION_DATE,
    )
    response = client_for(world.adam).get(reverse("budgets:batch_sepa", args=[batch.pk]))
    root = assert_valid(response.content)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.find("p:NbOfTxs", NS).text == "500"
    assert header.find("p:CtrlSum", NS).text == f"{expected:.2f}" == f"{batch.total:.2f}"
    amounts = texts(root, "p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/p:Amt/p:InstdAmt")
    assert len(amounts) == 500 and all(len(a.rpartition(".")[2]) == 2 for a in amounts)
    assert sum(map(Decimal, amounts)) == expected
    end_to_end = texts(root, "p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/p:PmtId/p:EndToEndId")
    assert len(set(end_to_end)) == 500


def test_the_writer_cuts_names_and_texts_over_the_limits_to_a_valid_file():
    # Rows the database would not hold (over 70 and 140): the writer does not rely on the form.
    spend = SimpleNamespace(
        reference="U-000001",
        amount=Decimal("6500"),
        creditor_name="Kinderopvang De Zonnebloem " * 4,
        iban="NL91ABNA0417164300",
        purpose="Kinderopvang zodat moeder haar baan houdt " * 5,
    )
    data = exports.pain_001(
        [spend],
        debtor=exports.Debtor("Gemeente Zaanstad " * 5, "NL02ABNA0123456789"),
        execution_date=EXECUTION_DATE,
        message_id="MW-0479-20261201101500-A1B2C3",
    )
    root = assert_valid(data)
    name = root.find("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/p:Cdtr/p:Nm", NS).text
    assert len(name) <= 70 and spend.creditor_name.startswith(name + " ")  # cut between words
    assert root.find("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS).text == "6500.00"


def test_control_sums_and_counts_must_add_up():
    spends = [
        SimpleNamespace(
            reference=f"U-{i}", amount=a, creditor_name="A", iban="NL91ABNA0417164300", purpose="x"
        )
        for i, a in enumerate(["10.00", "0.01"])
    ]
    args = {
        "debtor": exports.Debtor("G", "NL02ABNA0123456789"),
        "execution_date": EXECUTION_DATE,
        "message_id": "M1",
    }
    good = exports.write_pain_001(
        [SimpleNamespace(**vars(s) | {"amount": Decimal(s.amount)}) for s in spends], **args
    )
    assert pain_001_errors(good) == []
    wrong_sum = good.replace(b"<CtrlSum>10.01</CtrlSum>", b"<CtrlSum>10.02</CtrlSum>", 1)
    assert pain_001_errors(wrong_sum) == ["GrpHdr/CtrlSum: 10.02 but the transfers add up to 10.01"]
    wrong_count = good.replace(b"<NbOfTxs>2</NbOfTxs>", b"<NbOfTxs>3</NbOfTxs>")
    assert len(pain_001_errors(wrong_count)) == 2  # the header and the payment block
    fraction = good.replace(b">0.01</InstdAmt>", b">0.005</InstdAmt>")
    assert any("cents" in e for e in pain_001_errors(fraction))


def _empty_name(value, max_length, **kwargs):
    return ""  # the schema wants at least one character


def _raw_text(value, max_length, **kwargs):
    return str(value)[:max_length]  # an ampersand and accents straight into the file


@pytest.mark.parametrize("broken", [_empty_name, _raw_text], ids=["schema", "character-set"])
def test_a_file_that_fails_the_check_is_refused_and_no_batch_is_recorded(
    setup, client_for, monkeypatch, caplog, broken
):
    world, case = setup
    awkward_spends(world, case)
    monkeypatch.setattr(exports, "sepa_text", broken)
    c = client_for(world.adam)
    with caplog.at_level(logging.ERROR, logger="maatwerk.budgets.exports"):
        response = c.post(reverse("budgets:batch_create"), web_form(world, idempotency_key="k1"))
    assert response.status_code == 422
    assert "voldoet niet aan de standaard van de bank" in response.content.decode()
    assert "does not validate against pain.001.001.03" in caplog.text  # the reason, for the operator
    api = post_json(c, f"{API}/payments/batches", api_payload())
    assert api.status_code == 422
    assert "voldoet niet aan de standaard van de bank" in api.json()["errors"]["spends"][0]
    assert not PaymentBatch.objects.exists() and not PaymentBatchItem.objects.exists()
    assert not AccessLog.objects.filter(purpose__in=["export payment batch", "payment export"]).exists()

    monkeypatch.undo()  # the writer fixed: the same key now records the batch
    assert c.post(reverse("budgets:batch_create"), web_form(world, idempotency_key="k1")).status_code == 302
    assert PaymentBatch.objects.count() == 1


def test_a_recorded_batch_whose_file_fails_the_check_is_not_offered(setup, client_for, monkeypatch):
    world, case = setup
    awkward_spends(world, case)
    batch = services.export_payment_batch(
        by=world.adam,
        municipality=world.eindhoven,
        debtor_name="Gemeente Eindhoven",
        debtor_iban="NL02ABNA0123456789",
        execution_date=EXECUTION_DATE,
    )
    monkeypatch.setattr(exports, "write_pain_001", lambda *a, **k: b"<Document/>")
    c = client_for(world.adam)
    page = c.get(reverse("budgets:batch_sepa", args=[batch.pk]))
    assert page.status_code == 409 and page["Content-Type"].startswith("text/html")
    assert "wordt niet aangeboden om te downloaden" in page.content.decode()
    api = c.get(f"{API}/payments/batches/{batch.pk}/sepa.xml")
    assert api.status_code == 422 and "wordt niet aangeboden" in api.json()["detail"]


def test_csv_exports_keep_the_names_as_typed(setup, client_for):
    world, case = setup
    spends = awkward_spends(world, case)
    c = client_for(world.adam)
    for url in (reverse("budgets:export_csv"), f"{API}/payments/export.csv"):
        response = c.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        body = response.content.decode()
        assert "Ümit Çelik-Öztürk" in body and "Zorg & Welzijn B.V." in body and "😀🎉" in body
        assert LONG_NAME in body and "123.45" in body and LONG_PURPOSE in body
    batch = services.export_payment_batch(
        by=world.adam,
        municipality=world.eindhoven,
        debtor_name="Gemeente Eindhoven",
        debtor_iban="NL02ABNA0123456789",
        execution_date=EXECUTION_DATE,
    )
    body = c.get(reverse("budgets:batch_csv", args=[batch.pk])).content.decode()
    assert all(s.reference in body for s in spends) and "Begeleiding & vervoer" in body
