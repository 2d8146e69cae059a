"""Each role opens its dashboard in Chromium, as the first minute of use: the figures are there, with their
interval and n, the method note is there, and for policy and programme no personal data is on the page."""

import re

import pytest
from playwright.sync_api import expect

from conftest import browser_login, htmx_ready
from maatwerk.cases.models import Case, Household, Note, Person
from maatwerk.demo import cases as demo_cases
from maatwerk.insights.refresh import refresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def personal_data() -> set[str]:
    """Everything of the households that must not reach a dashboard: names, BSNs, case texts."""
    found = set()
    for name in Household.objects.values_list("name", flat=True):
        found.add(name)
    for first, last, bsn in Person.objects.values_list("first_name", "last_name", "bsn"):
        found |= {first, last} | ({bsn} if bsn else set())
    for vastloper, goal in Case.objects.values_list("vastloper", "goal"):
        found |= {t[:40] for t in (vastloper, goal) if t}
    found |= {t[:40] for t in Note.objects.values_list("text", flat=True)}
    return {f for f in found if len(f) >= 4}


def leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", text))


@pytest.fixture
def demo(world):
    demo_cases.generate(households=150, seed=5)
    refresh()
    return world


@pytest.mark.parametrize("who, heading", [("erin", "gemeente"), ("pat", "land")])
def test_policy_and_programme_see_figures_and_no_personal_data(page, demo, who, heading):
    browser_login(page, who)
    page.goto("/dashboard/")
    htmx_ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.get_by_role("heading", name="Wat het oplevert")).to_be_visible()
    expect(page.get_by_role("heading", name="Hoe lezen we deze cijfers?")).to_be_visible()
    # Every figure has its accessible table.
    assert page.locator("figure table").count() >= 8
    text = page.inner_text("main")
    assert not leaks(text, personal_data())
    # A CSV of a figure has no personal data either.
    with page.expect_download() as download:
        page.locator("a[download]").first.click()
    body = open(download.value.path(), encoding="utf-8-sig").read()
    assert not leaks(body, personal_data())


def test_team_lead_sees_own_team_with_workers_and_can_filter(page, demo):
    browser_login(page, "dave")
    page.goto("/dashboard/")
    htmx_ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("team")
    expect(page.get_by_role("heading", name=re.compile("Per medewerker"))).to_be_visible()
    page.get_by_label("Leefgebied", exact=True).select_option(label="financiën")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    assert "domain=1" in page.url
    expect(page.get_by_role("heading", name="Casussen per status")).to_be_visible()
