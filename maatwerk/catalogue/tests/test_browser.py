import importlib

import pytest
from django.apps import apps

from conftest import browser_login

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
    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="Kostenoverzicht").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kostenoverzicht"

    # Choosing a life domain updates the table in place (htmx) and the address bar.
    page.get_by_label("Leefgebied").select_option("jeugd")
    page.wait_for_url("**domain=jeugd**")
    page.get_by_text("2 kostenposten gevonden.").wait_for()
    rows = page.locator("table.mw-catalogue tbody tr")
    assert rows.count() == 2

    page.get_by_label("Uitvoeringskosten per jeugdhulpbeschikking vergelijken").check()
    page.get_by_label("Jeugdhulp met verblijf (residentieel) vergelijken").check()
    page.get_by_role("button", name="Vergelijken").click()
    table = page.get_by_role("table", name="Gekozen kosten naast elkaar")
    table.wait_for()
    assert table.locator("tbody tr").count() == 2
    assert "per jaar" in table.inner_text()
    assert not csp_errors, csp_errors
