import datetime

import pytest

from conftest import browser_login
from maatwerk.barriers import services
from maatwerk.barriers.models import Barrier, Level
from maatwerk.cases.models import Agency

from .factories import case_for, childcare_barrier, many_barriers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def escalate(page, level: str, to: str, due: str) -> None:
    page.get_by_role("link", name="Escaleren").click()
    page.get_by_label("niveau").select_option(level)
    page.get_by_label("geëscaleerd naar").fill(to)
    page.get_by_label("antwoord uiterlijk").fill(due)
    with page.expect_navigation():
        page.get_by_role("button", name="Escaleren").click()


def log_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()


def test_childcare_barrier_from_case_to_national_register(page, world):
    case = case_for(world)
    # The same rule, registered in another municipality.
    utrecht_case = case_for(
        world, by=world.carol, team=world.team_c, name="Oosterhout", first_name="Gerrit", bsn="123456782"
    )
    childcare_barrier(world, by=world.carol, case=utrecht_case, legal_provision="Artikel 30 AWIR")
    due = (datetime.date.today() + datetime.timedelta(days=21)).isoformat()

    # A worker registers the barrier from the case.
    browser_login(page, "alice")
    page.goto(f"/knelpunten/nieuw/?case={case.pk}")
    assert page.get_by_label("casus", exact=True).input_value() == str(case.pk)
    page.get_by_label("soort").select_option("rule_clash")
    page.get_by_label("titel").fill("Kinderopvangtoeslag verrekend met belastingschuld")
    page.get_by_label("Belastingdienst/Toeslagen").check()
    page.get_by_label("wetsartikel").fill("art. 30 Awir")
    page.get_by_label("omschrijving").fill("De toeslag wordt verrekend met een oude schuld; de opvang stopt.")
    page.get_by_label("risico als er niets gebeurt").fill("Baan kwijt, huurachterstand")
    page.get_by_label("datum van het risico").fill("2027-03-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Registreren").click()
    barrier = Barrier.objects.get(municipality=world.eindhoven)
    assert page.get_by_role("heading", level=1).inner_text().startswith(barrier.reference)
    assert barrier.links.get().case == case

    # A legal checker tries national first and is refused until local and regional attempts are recorded.
    log_out(page)
    browser_login(page, "lars")
    page.goto(f"/knelpunten/{barrier.pk}/")
    escalate(page, "national", "Landelijk Maatwerkloket", due)
    error = page.locator("#id_level_error")
    assert "pas als er lokale en regionale pogingen zijn vastgelegd" in error.inner_text()
    assert not barrier.escalations.exists()
    with page.expect_navigation():
        page.get_by_role("link", name="Annuleren").click()
    escalate(page, "municipality", "Maatwerkfunctionaris Eindhoven", due)
    escalate(page, "region", "Regio Zuidoost-Brabant", due)
    escalate(page, "national", "Landelijk Maatwerkloket", due)
    assert list(barrier.escalations.values_list("level", flat=True)) == [
        Level.MUNICIPALITY,
        Level.REGION,
        Level.NATIONAL,
    ]
    assert page.get_by_test_id("barrier-status").inner_text() == "geëscaleerd"

    # The programme sees it suggested together with Utrecht's, merges, and sees one signal.
    log_out(page)
    browser_login(page, "pat")
    page.goto("/knelpunten/landelijk/")
    suggestion = page.get_by_test_id("suggestion")
    assert suggestion.count() == 1
    with page.expect_navigation():
        suggestion.get_by_role("button", name="Samenvoegen tot één signaal").click()
    register = page.get_by_test_id("national-register")
    row = register.get_by_role("row").filter(has_text="Eindhoven, Utrecht")
    assert row.count() == 1 and "signaal" in row.inner_text()
    content = page.content()
    for secret in ("Zwanenburg", "Oosterhout", "Wilhelmina", "Gerrit", "111222333", "123456782"):
        assert secret not in content


def test_correcting_a_barrier_keeps_what_was_not_touched(page, world):
    barrier = childcare_barrier(world)
    browser_login(page, "bob")
    page.goto(f"/knelpunten/{barrier.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Wijzigen").click()
    # The form comes filled in, the date too (a date input only shows ISO dates).
    assert page.get_by_label("datum van het risico").input_value() == "2027-03-01"
    page.get_by_label("wetsartikel").fill("art. 31 Awir")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    assert "Opgeslagen." in page.content()
    barrier.refresh_from_db()
    assert barrier.legal_provision == "art. 31 Awir" and barrier.provision_key == "art 31 awir"
    assert barrier.risk_date == datetime.date(2027, 3, 1) and barrier.agency_list == [Agency.TAX]


def test_register_pages_through_with_the_filter_kept(page, world):
    escalated = many_barriers(world, 26)
    for barrier in escalated:
        services.escalate_barrier(
            barrier, by=world.alice, level=Level.TEAM, to="Teamleider", due_date=datetime.date(2099, 1, 1)
        )
    childcare_barrier(world, title="Nog open")
    browser_login(page, "alice")
    page.goto("/knelpunten/")
    page.get_by_label("status").select_option("escalated")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    pages = page.get_by_role("navigation", name="Pagina's van het knelpuntenregister")
    assert "Pagina 1 van 2" in pages.inner_text()
    with page.expect_navigation():
        pages.get_by_role("link", name="Volgende pagina").click()
    assert "Pagina 2 van 2" in pages.inner_text()
    assert page.get_by_label("status").input_value() == "escalated"
    rows = page.get_by_role("table").get_by_role("row")
    assert rows.count() == 2 and "Knelpunt 001" in rows.nth(1).inner_text()
    assert "Nog open" not in page.content()
