import pytest

from conftest import browser_login
from maatwerk.budgets.models import SpendStatus

from .factories import make_budget, make_case, request, standard_mandates
from .test_concurrency import restore_seeded_rows  # noqa: F401 (module fixture: re-seed after the flush)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_team_lead_sees_budget_and_approves_in_browser(page, world):
    standard_mandates(world.eindhoven)
    case = make_case(world.team_a)
    make_budget(world, amount="1000.00")
    spend = request(world.alice, case, "120.00")
    browser_login(page, "dave")
    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="Budget").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Budget"
    assert page.get_by_text("€ 1.000,00").first.is_visible()
    page.get_by_role("link", name=spend.reference).click()
    page.get_by_role("button", name="Goedkeuren").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Goedgekeurd.").is_visible()
    spend.refresh_from_db()
    assert spend.status == SpendStatus.APPROVED


def test_requester_cannot_approve_in_browser(page, world):
    standard_mandates(world.eindhoven)
    case = make_case(world.team_a)
    make_budget(world, amount="1000.00")
    spend = request(world.dave, case, "120.00")
    browser_login(page, "dave")
    page.goto(f"/budget/aanvragen/{spend.pk}/")
    assert page.get_by_text("U kunt uw eigen aanvraag niet goedkeuren").is_visible()
    assert page.get_by_role("button", name="Goedkeuren").count() == 0
