"""In the browser: the case page shows the household's money and barriers, and the timeline filters."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import browser_login, click_and_load
from maatwerk.barriers import services as barrier_services
from maatwerk.barriers.models import Level
from maatwerk.barriers.tests.factories import childcare_barrier
from maatwerk.budgets import services as budget_services
from maatwerk.budgets.tests.factories import make_budget, standard_mandates
from maatwerk.businesscases import services as bc_services
from maatwerk.businesscases.tests.factories import childcare_plan
from maatwerk.cases import services

from .factories import household_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_sees_the_hub_and_filters_the_timeline(page, world):
    standard_mandates(world.eindhoven, bb_user=world.lars)
    make_budget(world, amount="10000.00")
    case = household_case(world)
    services.add_note(case, by=world.alice, text="Eerste gesprek met Sanne")
    bc_services.save_version(case, by=world.alice, plan=childcare_plan())
    spend = budget_services.request_spend(
        by=world.alice,
        case=case,
        amount=Decimal("400.00"),
        channel="maatwerkbudget",
        purpose="Kinderopvang januari",
        legal_basis="rule_free",
        creditor_name="Kinderopvang De Boomhut",
        iban="NL91ABNA0417164300",
    )
    barrier = childcare_barrier(world, case=case)
    due = datetime.date.today() + datetime.timedelta(days=14)
    barrier_services.escalate_barrier(
        barrier, by=world.alice, level=Level.MUNICIPALITY, to="MWF", due_date=due
    )

    browser_login(page, "alice")
    page.goto(f"/casussen/{case.pk}/")
    summary = page.locator("#summary")
    expect(summary.get_by_role("heading", name="In één oogopslag")).to_be_visible()
    expect(summary.get_by_test_id("hub-businesscase")).to_contain_text("Verwachte netto opbrengst")
    spends = summary.get_by_test_id("hub-spends")
    expect(spends.get_by_role("link", name=spend.reference)).to_be_visible()
    expect(spends).to_contain_text("€ 400,00")
    expect(summary.get_by_test_id("hub-barriers")).to_contain_text(barrier.reference)

    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("[data-kind=note]")).to_have_count(1)
    expect(timeline.locator("[data-kind=spend]").first).to_be_visible()

    # Only the spend requests: the note goes, the URL keeps the filter.
    page.locator("#timeline").get_by_label("bestedingsaanvragen").check()
    click_and_load(page, page.locator("#timeline").get_by_role("button", name="Selectie tonen"))
    assert "kind=spend" in page.url
    expect(timeline.locator("[data-kind=note]")).to_have_count(0)
    expect(timeline.locator("[data-kind=spend]")).to_have_count(1)
    expect(page.locator("#timeline").get_by_label("bestedingsaanvragen")).to_be_checked()

    # From the summary to the spend page and back to the case.
    click_and_load(page, spends.get_by_role("link", name=spend.reference))
    expect(page.get_by_role("heading", level=1)).to_contain_text(spend.reference)
    click_and_load(page, page.get_by_role("link", name=case.reference))
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
