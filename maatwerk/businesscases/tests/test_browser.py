import re
import shutil
import subprocess
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from conftest import browser_login, click_and_load, htmx_ready

from .factories import case_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
PDF_TIMEOUT = 120_000  # ms


def euros(text: str) -> float:
    """ "€ -1.234,56" → -1234.56"""
    return float(re.sub(r"[^\d,-]", "", text).replace(",", "."))


def recalculation_with(page, field: str, value: str):
    """Waits for the live recalculation (htmx) that posts `field` = `value`: earlier ones may still come back.

    The form recalculates 300 ms after a change; a later change queues a new request behind the running one.
    """
    return page.expect_response(
        lambda r: r.url.endswith("/preview/") and parse_qs(r.request.post_data or "").get(field) == [value]
    )


def test_worker_builds_childcare_example_and_gets_a_pdf(page, world, tmp_path):
    case = case_for(world.alice, world.team_a)
    browser_login(page, "alice")
    page.goto(f"/businesscases/case/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Businesscase {case.reference}")

    # Investment entered by hand: childcare, € 6.500 once in month 0.
    click_and_load(
        page, page.locator("#route-investments").get_by_role("button", name="Post met de hand toevoegen")
    )
    row = page.locator("#route-investments .bc-row").first
    row.get_by_label("Omschrijving").fill("Kinderopvang")
    row.get_by_label("Bedrag (€)").fill("6.500")

    # Regular route from the cost overview: the social assistance norm, found by searching.
    page.get_by_label("Zoeken in het kostenoverzicht").fill("PW_NORM_ALL_2024H1")
    add = page.get_by_role("button", name=re.compile("naar reguliere route.*Bijstandsnorm"))
    click_and_load(page, add)
    row = page.locator("#route-regular_route .bc-row").first
    expect(row.locator("input[name$='-cost_code']")).to_have_value("PW_NORM_ALL_2024H1")
    expect(row.get_by_label("Omschrijving")).to_have_value(re.compile("^Bijstandsnorm"))
    investment = page.locator("#route-investments .bc-row").first
    expect(investment.get_by_label("Omschrijving")).to_have_value("Kinderopvang")
    with recalculation_with(page, "regular_route-0-months", "12"):
        row.get_by_label("Startmaand").fill("2")
        row.get_by_label("Maanden").fill("12")
        row.get_by_label("Maanden").press("Tab")
    htmx_ready(page)

    results = page.locator("#bc-results")
    net = results.get_by_test_id("net")
    before = net.inner_text()
    # Live recalculation: changing the probability updates the result without a page load.
    with recalculation_with(page, "regular_route-0-probability", "90"):
        row.get_by_label("Kans (%)").fill("90")
        row.get_by_label("Kans (%)").press("Tab")
    htmx_ready(page)
    expect(net).not_to_have_text(before)
    assert euros(net.inner_text()) > 0
    payers = results.get_by_role("table", name="Wie investeert, wie bespaart")
    expect(payers.get_by_role("rowheader", name="gemeente")).to_be_visible()
    expect(results.locator("svg polyline")).to_have_count(2)
    expect(results).to_contain_text("Inzet wijkteam: nog geen uren op deze casus geschreven.")

    click_and_load(page, page.get_by_role("button", name="Opslaan als nieuwe versie"))
    expect(page.get_by_text("Versie 1 van de businesscase is opgeslagen.")).to_be_visible()
    expect(page.get_by_role("link", name="versie 1")).to_be_visible()

    # Rendering the plan runs the simulation and WeasyPrint: over 30 s on a busy two-core machine.
    response = page.request.get(f"/businesscases/case/{case.pk}/plan.pdf", timeout=PDF_TIMEOUT)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    pngs = list(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    assert pngs[0].stat().st_size > 10_000


def test_worker_of_other_team_gets_404_in_browser(page, world):
    case = case_for(world.alice, world.team_a)
    browser_login(page, "bob")
    response = page.goto(f"/businesscases/case/{case.pk}/")
    assert response.status == 404
