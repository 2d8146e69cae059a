import pytest
from playwright.sync_api import expect

from conftest import browser_login, click_and_load
from maatwerk.budgets.models import SpendStatus

from .factories import make_budget, make_case, request, standard_mandates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_lead_sees_budget_and_approves_in_browser(page, world):
    standard_mandates(world.eindhoven)
    case = make_case(world.team_a)
    make_budget(world, amount="1000.00")
    spend = request(world.alice, case, "120.00")
    browser_login(page, "dave")
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    click_and_load(page, nav.get_by_role("link", name="Budget"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget")
    expect(page.get_by_text("€ 1.000,00").first).to_be_visible()
    click_and_load(page, page.get_by_role("link", name=spend.reference))
    click_and_load(page, page.get_by_role("button", name="Goedkeuren"))
    expect(page.get_by_text("Goedgekeurd.")).to_be_visible()
    spend.refresh_from_db()
    assert spend.status == SpendStatus.APPROVED


def test_requester_cannot_approve_in_browser(page, world):
    standard_mandates(world.eindhoven)
    case = make_case(world.team_a)
    make_budget(world, amount="1000.00")
    spend = request(world.dave, case, "120.00")
    browser_login(page, "dave")
    page.goto(f"/budget/aanvragen/{spend.pk}/")
    expect(page.get_by_text("U kunt uw eigen aanvraag niet goedkeuren")).to_be_visible()
    expect(page.get_by_role("button", name="Goedkeuren")).to_have_count(0)
