import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from conftest import browser_login, click_and_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(world):
    # Transactional tests flush the tables between tests, seed data included: load it again.
    importlib.import_module("maatwerk.catalogue.migrations.0002_seed_catalogue").load(apps, None)
    return world


def test_worker_filters_and_compares_in_the_browser(page, seeded):
    csp_errors = []
    page.on(
        "console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    browser_login(page, "alice")
    nav = page.get_by_role("navigation", name="Hoofdnavigatie")
    # Wait for the page (and its htmx) to be ready: a filter chosen earlier sends no request (#10).
    click_and_load(page, nav.get_by_role("link", name="Kostenoverzicht"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kostenoverzicht")

    # Choosing a life domain updates the table in place (htmx) and the address bar.
    page.get_by_label("Leefgebied").select_option("jeugd")
    expect(page.get_by_text("2 kostenposten gevonden.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]domain=jeugd(&|$)"))
    rows = page.locator("table.mw-catalogue tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Uitvoeringskosten per jeugdhulpbeschikking vergelijken").check()
    page.get_by_label("Jeugdhulp met verblijf (residentieel) vergelijken").check()
    page.get_by_role("button", name="Vergelijken").click()
    table = page.get_by_role("table", name="Gekozen kosten naast elkaar")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("per jaar")
    assert not csp_errors, csp_errors
