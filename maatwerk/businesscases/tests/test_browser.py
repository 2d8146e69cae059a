import re
import shutil
import subprocess

import pytest

from conftest import browser_login

from .factories import case_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"


def euros(text: str) -> float:
    """ "€ -1.234,56" → -1234.56"""
    return float(re.sub(r"[^\d,-]", "", text).replace(",", "."))


def test_worker_builds_childcare_example_and_gets_a_pdf(page, world, tmp_path):
    case = case_for(world.alice, world.team_a)
    browser_login(page, "alice")
    page.goto(f"/businesscases/case/{case.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Businesscase {case.reference}"

    # Investment entered by hand: childcare, € 6.500 once in month 0.
    page.locator("#route-investments").get_by_role("button", name="Post met de hand toevoegen").click()
    row = page.locator("#route-investments .bc-row").first
    row.get_by_label("Omschrijving").fill("Kinderopvang")
    row.get_by_label("Bedrag (€)").fill("6.500")

    # Regular route from the cost overview: the social assistance norm, found by searching.
    page.get_by_label("Zoeken in het kostenoverzicht").fill("PW_NORM_ALL_2024H1")
    add = page.get_by_role("button", name=re.compile("naar reguliere route.*Bijstandsnorm"))
    add.click()
    row = page.locator("#route-regular_route .bc-row").first
    assert row.locator("input[name$='-cost_code']").input_value() == "PW_NORM_ALL_2024H1"
    assert row.get_by_label("Omschrijving").input_value().startswith("Bijstandsnorm")
    assert page.locator("#route-investments .bc-row").first.get_by_label("Omschrijving").input_value() == (
        "Kinderopvang"
    )
    row.get_by_label("Startmaand").fill("2")
    row.get_by_label("Maanden").fill("12")

    results = page.locator("#bc-results")
    net = results.get_by_test_id("net")
    net.wait_for()
    before = net.inner_text()
    # Live recalculation: changing the probability updates the result without a page load.
    row.get_by_label("Kans (%)").fill("90")
    row.get_by_label("Kans (%)").press("Tab")
    page.wait_for_function(
        "before => document.querySelector('[data-testid=net]').innerText !== before", arg=before
    )
    assert euros(net.inner_text()) > 0
    payers = results.get_by_role("table", name="Wie investeert, wie bespaart")
    assert payers.get_by_role("rowheader", name="gemeente").is_visible()
    assert results.locator("svg polyline").count() == 2
    assert "Inzet wijkteam: nog geen uren op deze casus geschreven." in results.inner_text()

    page.get_by_role("button", name="Opslaan als nieuwe versie").click()
    assert page.get_by_text("Versie 1 van de businesscase is opgeslagen.").is_visible()
    assert page.get_by_role("link", name="versie 1").is_visible()

    response = page.request.get(f"/businesscases/case/{case.pk}/plan.pdf")
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
