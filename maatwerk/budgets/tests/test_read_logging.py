"""Every page and API response that shows spend requests (payee, IBAN, purpose) writes AccessLog rows.

One row per spend shown, naming its household, written in one INSERT; the rows themselves hold no names,
IBANs, purposes or search terms.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maatwerk.accounts.models import AccessLog
from maatwerk.barriers.tests.factories import case_for, childcare_barrier
from maatwerk.budgets import services

from .factories import IBAN, make_budget, make_case, request, standard_mandates

API = "/api/v1/budget"
READ, EXPORT = AccessLog.Action.READ, AccessLog.Action.EXPORT
# What a household's spend shows; none of it may reach the log.
HOUSEHOLD = "Zwartewaal"
CREDITOR = "Woningstichting Kruisakker"
PURPOSE = "Huurachterstand februari"
SECRETS = (HOUSEHOLD, HOUSEHOLD.lower(), CREDITOR, PURPOSE, IBAN, IBAN[-6:])


@pytest.fixture
def spends(world):
    """Two spends of one household of team A: one approved (in the ledger), one still requested."""
    standard_mandates(world.eindhoven, bb_user=world.lars)
    case = make_case(world.team_a, name=HOUSEHOLD)
    budget = make_budget(world, amount="5000.00")
    approved = request(world.alice, case, "150.00", creditor_name=CREDITOR, purpose=PURPOSE)
    services.approve_spend(approved, by=world.dave)
    requested = request(world.alice, case, "90.00", creditor_name=CREDITOR, purpose=PURPOSE)
    return case, budget, approved, requested


def reads_since(start_id: int, **filters):
    return list(AccessLog.objects.filter(pk__gt=start_id, **filters).order_by("id"))


def last_id() -> int:
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def spend_rows(start_id: int, action=READ) -> dict[int, AccessLog]:
    rows = reads_since(start_id, action=action, object_type="budgets.spendrequest")
    return {int(r.object_id): r for r in rows}


def assert_no_personal_data(rows):
    assert rows
    for row in rows:
        text = " ".join(
            str(v) for v in (row.object_type, row.object_id, row.purpose, row.path, row.action)
        ).lower()
        for secret in SECRETS:
            assert secret.lower() not in text, (secret, text)
        assert "?" not in row.path


def test_api_spend_list_logs_one_row_per_spend_naming_its_household(world, spends, client_for):
    case, _, approved, requested = spends
    start = last_id()
    r = client_for(world.alice).get(f"{API}/spends", {"q": HOUSEHOLD})
    assert r.status_code == 200 and len(r.json()) == 2
    rows = spend_rows(start)
    assert set(rows) == {approved.pk, requested.pk}
    for row in rows.values():
        assert row.household_id == case.household_id
        assert row.municipality_id == world.eindhoven.pk
        assert row.user_id == world.alice.pk
        assert row.path == f"{API}/spends"
    assert_no_personal_data(rows.values())


def test_api_spend_list_is_logged_in_one_insert(world, spends, client_for):
    case, *_ = spends
    for _ in range(3):
        request(world.alice, case, "10.00", creditor_name=CREDITOR, purpose=PURPOSE)
    alice = client_for(world.alice)
    with CaptureQueriesContext(connection) as ctx:
        assert len(alice.get(f"{API}/spends").json()) == 5
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len([q for q in inserts if "accesslog" in q.lower()]) == 1


def test_api_spends_waiting_for_the_team_lead_are_logged(world, spends, client_for):
    _, _, _, requested = spends
    start = last_id()
    r = client_for(world.dave).get(f"{API}/spends", {"waiting_for_me": "true"})
    assert [s["id"] for s in r.json()] == [requested.pk]
    assert set(spend_rows(start)) == {requested.pk}


def test_worker_of_other_team_sees_no_spends_and_no_row_is_written(world, spends, client_for):
    start = last_id()
    assert client_for(world.bob).get(f"{API}/spends").json() == []
    assert reads_since(start) == []


def test_api_ledger_logs_the_spends_it_books(world, spends, client_for):
    case, budget, approved, _ = spends
    start = last_id()
    r = client_for(world.dave).get(f"{API}/budgets/{budget.pk}/ledger")
    assert r.status_code == 200 and any(e["spend_id"] == approved.pk for e in r.json())
    rows = spend_rows(start)
    assert set(rows) == {approved.pk}  # one row per spend, though it has several bookings
    assert rows[approved.pk].household_id == case.household_id


def test_budget_page_logs_the_spends_in_its_ledger(world, spends, client_for):
    case, budget, approved, _ = spends
    start = last_id()
    r = client_for(world.dave).get(reverse("budgets:budget", args=[budget.pk]), {"q": HOUSEHOLD})
    assert r.status_code == 200 and approved.reference in r.content.decode()
    rows = spend_rows(start)
    assert set(rows) == {approved.pk}
    assert rows[approved.pk].purpose == "budget ledger"
    assert_no_personal_data(rows.values())


def test_budget_page_without_bookings_for_households_writes_no_row(world, client_for):
    budget = make_budget(world, amount="100.00")
    start = last_id()
    assert client_for(world.adam).get(reverse("budgets:budget", args=[budget.pk])).status_code == 200
    assert reads_since(start) == []


def test_overview_logs_waiting_and_approved_spends(world, spends, client_for):
    _, _, approved, requested = spends
    start = last_id()
    assert client_for(world.dave).get(reverse("budgets:overview")).status_code == 200
    assert set(spend_rows(start)) == {requested.pk}  # waiting for the team lead
    start = last_id()
    assert client_for(world.adam).get(reverse("budgets:overview")).status_code == 200
    assert set(spend_rows(start)) == {approved.pk}  # to pay, for the administrator


def test_legality_checks_page_logs_the_requests_it_lists(world, spends, client_for):
    case, *_ = spends
    big = request(world.alice, case, "1200.00", creditor_name=CREDITOR, purpose=PURPOSE)
    start = last_id()
    r = client_for(world.lars).get(reverse("budgets:checks"))
    assert big.reference in r.content.decode()
    assert set(spend_rows(start)) == {big.pk}


def test_api_legality_checks_of_a_request_are_logged(world, spends, client_for):
    _, _, _, requested = spends
    start = last_id()
    assert client_for(world.dave).get(f"{API}/spends/{requested.pk}/legality-checks").status_code == 200
    assert set(spend_rows(start)) == {requested.pk}


def test_payments_page_logs_the_approved_transfers(world, spends, client_for):
    _, _, approved, _ = spends
    start = last_id()
    r = client_for(world.adam).get(reverse("budgets:payments"))
    assert approved.reference in r.content.decode()
    assert set(spend_rows(start)) == {approved.pk}


def make_batch(world):
    return services.export_payment_batch(
        by=world.adam,
        municipality=world.eindhoven,
        debtor_name="Gemeente Eindhoven",
        debtor_iban="NL02ABNA0123456789",
        execution_date=datetime.date.today() + datetime.timedelta(days=1),
    )


def test_batch_page_logs_the_batch_and_each_spend_in_it(world, spends, client_for):
    case, _, approved, _ = spends
    batch = make_batch(world)
    start = last_id()
    assert client_for(world.adam).get(reverse("budgets:batch", args=[batch.pk])).status_code == 200
    rows = reads_since(start)
    assert {(r.object_type, r.object_id) for r in rows} == {
        ("budgets.paymentbatch", str(batch.pk)),
        ("budgets.spendrequest", str(approved.pk)),
    }
    assert {r.household_id for r in rows} == {None, case.household_id}
    assert_no_personal_data(rows)


def test_api_batch_read_is_logged(world, spends, client_for):
    batch = make_batch(world)
    start = last_id()
    assert client_for(world.adam).get(f"{API}/payments/batches/{batch.pk}").status_code == 200
    assert [(r.object_type, r.object_id) for r in reads_since(start)] == [
        ("budgets.paymentbatch", str(batch.pk))
    ]


@pytest.mark.parametrize(
    "url",
    [
        lambda b: reverse("budgets:batch_sepa", args=[b.pk]),
        lambda b: reverse("budgets:batch_csv", args=[b.pk]),
        lambda b: f"{API}/payments/batches/{b.pk}/sepa.xml",
    ],
    ids=["sepa", "csv", "api-sepa"],
)
def test_batch_files_log_an_export_per_spend(world, spends, client_for, url):
    _, _, approved, _ = spends
    batch = make_batch(world)
    start = last_id()
    r = client_for(world.adam).get(url(batch))
    assert r.status_code == 200 and IBAN in r.content.decode()
    rows = spend_rows(start, action=EXPORT)
    assert set(rows) == {approved.pk}
    assert_no_personal_data(rows.values())


@pytest.mark.parametrize("url", [reverse("budgets:export_csv"), f"{API}/payments/export.csv"])
def test_payments_csv_logs_an_export_per_transfer(world, spends, client_for, url):
    _, _, approved, _ = spends
    start = last_id()
    r = client_for(world.adam).get(url, {"q": HOUSEHOLD})
    assert r.status_code == 200 and CREDITOR in r.content.decode()
    rows = spend_rows(start, action=EXPORT)
    assert set(rows) == {approved.pk}
    assert_no_personal_data(rows.values())


def test_spend_page_shown_again_after_a_failed_action_is_logged(world, spends, client_for):
    _, _, _, requested = spends
    start = last_id()
    # Alice requested it herself: four eyes refuse, and the page with the payee is shown again.
    r = client_for(world.alice).post(reverse("budgets:spend_action", args=[requested.pk, "approve"]))
    assert r.status_code == 403
    assert "vier-ogenprincipe" in r.content.decode()
    assert set(spend_rows(start)) == {requested.pk}


def test_no_row_of_any_budget_read_holds_personal_data(world, spends, client_for):
    case, budget, approved, requested = spends
    batch = make_batch(world)
    start = last_id()
    search = {"q": HOUSEHOLD, "creditor": CREDITOR, "iban": IBAN}
    dave, adam, lars = client_for(world.dave), client_for(world.adam), client_for(world.lars)
    for client, url in [
        (dave, reverse("budgets:overview")),
        (dave, reverse("budgets:budget", args=[budget.pk])),
        (dave, reverse("budgets:spend", args=[requested.pk])),
        (lars, reverse("budgets:checks")),
        (adam, reverse("budgets:payments")),
        (adam, reverse("budgets:batch", args=[batch.pk])),
        (adam, reverse("budgets:batch_csv", args=[batch.pk])),
        (adam, reverse("budgets:batch_sepa", args=[batch.pk])),
        (adam, reverse("budgets:export_csv")),
        (dave, f"{API}/spends"),
        (dave, f"{API}/spends/{requested.pk}"),
        (dave, f"{API}/budgets/{budget.pk}/ledger"),
        (adam, f"{API}/payments/export.csv"),
    ]:
        assert client.get(url, search).status_code == 200, url
    rows = reads_since(start)
    assert len(rows) >= 13
    assert {r.household_id for r in rows if r.object_type == "budgets.spendrequest"} == {case.household_id}
    for row in rows:
        # Only ids, fixed purposes and paths: nothing a worker typed or a household is called.
        values = json.dumps([getattr(row, f.attname) for f in AccessLog._meta.fields], default=str).lower()
        for secret in SECRETS:
            assert secret.lower() not in values, (secret, row.purpose)


def test_barrier_page_logs_the_linked_households_it_names(world, client_for):
    case = case_for(world)
    barrier = childcare_barrier(world, case=case, cost=Decimal("100.00"))
    start = last_id()
    r = client_for(world.alice).get(reverse("barriers:detail", args=[barrier.pk]))
    assert case.household.name in r.content.decode()
    rows = reads_since(start, object_type="cases.case")
    assert [(r.object_id, r.household_id) for r in rows] == [(str(case.pk), case.household_id)]


def test_barrier_page_for_policy_names_no_household_and_logs_none(world, client_for):
    case = case_for(world)
    barrier = childcare_barrier(world, case=case, cost=Decimal("100.00"))
    start = last_id()
    r = client_for(world.erin).get(reverse("barriers:detail", args=[barrier.pk]))
    assert r.status_code == 200 and case.household.name not in r.content.decode()
    assert reads_since(start, object_type="cases.case") == []


def test_barrier_forms_log_the_households_in_their_case_choices(world, client_for):
    case = case_for(world)
    other = case_for(world, name="Oosterhout", bsn="123456782")
    barrier = childcare_barrier(world, case=case, cost=Decimal("100.00"))
    alice = client_for(world.alice)
    start = last_id()
    assert other.household.name in alice.get(reverse("barriers:new")).content.decode()
    assert {r.household_id for r in reads_since(start, object_type="cases.case")} == {
        case.household_id,
        other.household_id,
    }
    start = last_id()
    assert other.household.name in alice.get(reverse("barriers:link", args=[barrier.pk])).content.decode()
    assert {r.household_id for r in reads_since(start, object_type="cases.case")} == {other.household_id}


def test_recording_a_batch_logs_an_export_per_spend_in_one_insert(world, spends):
    case, _, approved, _ = spends
    second = request(world.alice, case, "20.00", creditor_name=CREDITOR, purpose=PURPOSE)
    services.approve_spend(second, by=world.dave)
    start = last_id()
    with CaptureQueriesContext(connection) as ctx:
        make_batch(world)
    rows = spend_rows(start, action=EXPORT)
    assert set(rows) == {approved.pk, second.pk}
    assert {r.household_id for r in rows.values()} == {case.household_id}
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len([q for q in inserts if "accesslog" in q.lower()]) == 2  # the batch's row, and the spends'
