import pytest
from playwright.sync_api import expect

from conftest import browser_login
from maatwerk.demo.organisation import ensure_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_worker_logs_in_and_sees_team_start_page(page, settings):
    ensure_organisation()
    browser_login(page, "eindhoven.worker", settings.DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Wijkteam Woensel-Noord")
    expect(page.get_by_text("Eindhoven").first).to_be_visible()
    # The navigation shows the worker's items, and the skip link leads to the main content.
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    expect(nav.get_by_role("link", name="Start")).to_be_visible()
    expect(page.locator("a.utrecht-skip-link")).to_have_attribute("href", "#main")


def test_wrong_password_shows_error_in_browser(page, world):
    browser_login(page, "alice", "not-the-password")
    expect(page.get_by_role("alert").first).to_contain_text("Voer een juiste gebruikersnaam")
