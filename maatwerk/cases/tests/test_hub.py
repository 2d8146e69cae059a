"""The case page as the hub: the household's money and barriers at a glance, and one timeline."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from maatwerk.accounts.models import AccessLog
from maatwerk.barriers import services as barrier_services
from maatwerk.barriers.models import Level
from maatwerk.barriers.tests.factories import childcare_barrier
from maatwerk.budgets import services as budget_services
from maatwerk.budgets.models import SpendRequest
from maatwerk.budgets.rules import next_step
from maatwerk.budgets.tests.factories import make_budget, standard_mandates
from maatwerk.businesscases import services as bc_services
from maatwerk.businesscases.tests.factories import childcare_plan
from maatwerk.cases import hub, services
from maatwerk.cases.models import TimeEntry

from .factories import household_case

pytestmark = pytest.mark.django_db

LAWFUL = {
    "legal_basis_ok": True,
    "mandate_ok": True,
    "deviation_ok": True,
    "prior_provisions_considered": True,
    "amount_reasonable": True,
    "verdict": "lawful",
}


def spend(world, case, amount="400.00", purpose="Kinderopvang januari"):
    return budget_services.request_spend(
        by=world.alice,
        case=case,
        amount=Decimal(amount),
        channel="maatwerkbudget",
        purpose=purpose,
        legal_basis="rule_free",
        creditor_name="Kinderopvang De Boomhut",
        iban="NL91ABNA0417164300",
    )


@pytest.fixture
def hub_case(world):
    """A case of team A with a business case, a spend request of EUR 400 and an escalated barrier."""
    standard_mandates(world.eindhoven, bb_user=world.lars)
    make_budget(world, amount="10000.00")
    case = household_case(world)
    services.add_note(case, by=world.alice, text="Eerste gesprek met Sanne")
    bc_services.save_version(case, by=world.alice, plan=childcare_plan())
    request = spend(world, case)
    barrier = childcare_barrier(world, case=case)
    due = datetime.date.today() + datetime.timedelta(days=14)
    barrier_services.escalate_barrier(
        barrier, by=world.alice, level=Level.MUNICIPALITY, to="MWF", due_date=due
    )
    return case, request, barrier


def page(client, case, **params):
    return client.get(reverse("cases:detail", args=[case.pk]), params)


def test_case_page_shows_business_case_spends_barriers_and_next_step(world, client_for, hub_case):
    case, request, barrier = hub_case
    response = page(client_for(world.alice), case)
    assert response.status_code == 200
    body = response.content.decode()
    assert "In één oogopslag" in body
    version = case.business_case.versions.get()
    assert reverse("businesscases:editor", args=[case.pk]) in body
    assert "Verwachte netto opbrengst" in body
    assert reverse("budgets:spend", args=[request.pk]) in body and "€ 400,00" in body
    assert next_step(request) in body
    assert reverse("barriers:detail", args=[barrier.pk]) in body
    assert str(Level.MUNICIPALITY.label) in body or "gemeente" in body
    assert version.number == 1


def test_every_read_of_the_hub_is_logged(world, client_for, hub_case):
    case, request, barrier = hub_case
    page(client_for(world.alice), case)
    logged = set(
        AccessLog.objects.filter(user=world.alice, action=AccessLog.Action.READ).values_list(
            "object_type", "household_id"
        )
    )
    for object_type in ("budgets.spendrequest", "barriers.caselink", "businesscases.businesscaseversion"):
        assert (object_type, case.household_id) in logged


def test_worker_of_other_team_gets_404_and_sees_nothing_of_the_hub(world, client_for, hub_case):
    case, _request, _barrier = hub_case
    assert page(client_for(world.bob), case).status_code == 404
    assert page(client_for(world.carol), case, kind="spend").status_code == 404


def test_providers_never_show_another_teams_rows(world, hub_case):
    case, _request, _barrier = hub_case
    # Called directly (as if a view forgot its check), the providers still read through scoped queries.
    events, _more = hub.timeline(case, world.bob, limit=50)
    assert {e.kind for e in events} <= {"note", "status", "mdt", "time", "closing", "followup"}


def test_timeline_holds_every_kind_newest_first(world, client_for, hub_case):
    case, request, _barrier = hub_case
    services.register_time(case, by=world.alice, hours="1.5", activity="household")
    events, more = hub.timeline(case, world.alice, limit=100)
    kinds = {e.kind for e in events}
    assert {"note", "time", "spend", "barrier", "businesscase"} <= kinds and not more
    whens = [e.when for e in events]
    assert whens == sorted(whens, reverse=True)


def test_timeline_filter_by_kind_keeps_only_that_kind(world, client_for, hub_case):
    case, _request, _barrier = hub_case
    response = page(client_for(world.alice), case, kind="spend")
    assert response.status_code == 200
    kinds = {e.kind for e in response.context["timeline"]}
    assert kinds == {"spend"}
    assert 'value="spend" checked' in response.content.decode()


def test_timeline_filter_with_a_bad_kind_is_a_dutch_400_naming_the_field(world, client_for, hub_case):
    case, _request, _barrier = hub_case
    response = page(client_for(world.alice), case, kind="<script>")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Soort gebeurtenis: Kies een van de opties." in body
    assert "<script>" not in body.split('id="timeline"')[1].split("</section>")[0]


def test_timeline_page_out_of_range_is_a_400_naming_the_field(world, client_for, hub_case):
    case, _request, _barrier = hub_case
    response = page(client_for(world.alice), case, page="999999999999999999999")
    assert response.status_code == 400
    assert "Pagina:" in response.content.decode()


def test_timeline_is_bounded_and_its_queries_do_not_grow_with_the_rows(
    world, client_for, hub_case, django_assert_max_num_queries
):
    case, _request, _barrier = hub_case
    client = client_for(world.alice)
    services.register_time(case, by=world.alice, hours="1", activity="household")
    page(client, case)  # warm caches (content types, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        page(client, case)
    TimeEntry.objects.bulk_create(
        TimeEntry(
            case=case,
            worker=world.alice,
            hours=Decimal("0.25"),
            activity="household",
            day=datetime.date.today(),
        )
        for _ in range(3000)
    )
    with django_assert_max_num_queries(len(few)):
        response = page(client, case)
    assert len(response.context["timeline"]) == 25 and response.context["timeline_more"]
    assert len(response.context["time_entries"]) == 50 and response.context["time_entries_more"]
    assert response.context["hours_total"] == Decimal("751.00")
    more = page(client, case, page=2)
    assert len(more.context["timeline"]) == 50


def test_next_step_says_who_acts_next(world, hub_case):
    case, request, _barrier = hub_case
    big = spend(world, case, amount="1500.00")  # above EUR 1,000: a legality check first
    with translation.override("en"):
        # The mandate ladder names the rung and its people.
        assert next_step(request) == f"Waiting for approval by team lead ({world.dave.get_full_name()})."
        assert next_step(big).startswith("Waiting for the legality check, then for approval by")
        budget_services.record_legality_check(big, by=world.lars, **LAWFUL)
        assert next_step(SpendRequest.objects.get(pk=big.pk)).startswith("Waiting for approval by")
        budget_services.approve_spend(request, by=world.dave)
        paid = "Approved; waiting for payment by the financial administration."
        assert next_step(SpendRequest.objects.get(pk=request.pk)) == paid


def test_spend_page_links_back_to_the_case_and_its_business_case(world, client_for, hub_case):
    case, request, _barrier = hub_case
    body = client_for(world.alice).get(reverse("budgets:spend", args=[request.pk])).content.decode()
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in body
    assert f'href="{reverse("businesscases:editor", args=[case.pk])}"' in body


def test_spend_page_links_to_the_business_case_version_it_rests_on(world, client_for, hub_case):
    case, _request, _barrier = hub_case
    version = case.business_case.versions.get()
    linked = budget_services.request_spend(
        by=world.alice,
        case=case,
        amount=Decimal("100.00"),
        channel="maatwerkbudget",
        purpose="Fiets",
        legal_basis="rule_free",
        creditor_name="Fietsenmaker",
        iban="NL91ABNA0417164300",
        business_case_version=version,
    )
    body = client_for(world.alice).get(reverse("budgets:spend", args=[linked.pk])).content.decode()
    assert f'href="{reverse("businesscases:version", args=[case.pk, version.number])}"' in body


def test_legality_checker_sees_the_spend_but_no_link_to_a_case_that_would_answer_404(
    world, client_for, hub_case
):
    case, request, _barrier = hub_case
    response = client_for(world.lars).get(reverse("budgets:spend", args=[request.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.reference in body
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' not in body
