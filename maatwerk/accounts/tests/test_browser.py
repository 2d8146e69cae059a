import pytest

from conftest import browser_login
from maatwerk.demo.organisation import ensure_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_worker_logs_in_and_sees_team_start_page(page, settings):
    ensure_organisation()
    browser_login(page, "eindhoven.worker", settings.DEMO_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Wijkteam Woensel-Noord"
    assert page.get_by_text("Eindhoven").first.is_visible()
    # The navigation shows the worker's items, and the skip link leads to the main content.
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    assert nav.get_by_role("link", name="Start").is_visible()
    assert page.locator("a.utrecht-skip-link").get_attribute("href") == "#main"


def test_wrong_password_shows_error_in_browser(page, world):
    browser_login(page, "alice", "not-the-password")
    assert page.get_by_role("alert").first.inner_text().startswith("Voer een juiste gebruikersnaam")
