import datetime
import re

import pytest
from playwright.sync_api import expect

from conftest import browser_login, click_and_load
from maatwerk.barriers import services
from maatwerk.barriers.models import Barrier, Level
from maatwerk.cases.models import Agency

from .factories import case_for, childcare_barrier, many_barriers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def escalate(page, level: str, to: str, due: str, reason: str = "") -> None:
    click_and_load(page, page.get_by_role("link", name="Escaleren"))
    page.get_by_label("niveau").select_option(level)
    page.get_by_label("geëscaleerd naar").fill(to)
    page.get_by_label("antwoord uiterlijk").fill(due)
    if reason:
        page.get_by_label("reden om verder te escaleren").fill(reason)
    click_and_load(page, page.get_by_role("button", name="Escaleren"))


def log_out(page) -> None:
    click_and_load(page, page.get_by_role("button", name="Uitloggen"))


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
    expect(page.get_by_label("casus", exact=True)).to_have_value(str(case.pk))
    page.get_by_label("soort").select_option("rule_clash")
    page.get_by_label("titel").fill("Kinderopvangtoeslag verrekend met belastingschuld")
    page.get_by_label("Belastingdienst/Toeslagen").check()
    page.get_by_label("wetsartikel").fill("art. 30 Awir")
    page.get_by_label("omschrijving").fill("De toeslag wordt verrekend met een oude schuld; de opvang stopt.")
    page.get_by_label("risico als er niets gebeurt").fill("Baan kwijt, huurachterstand")
    page.get_by_label("datum van het risico").fill("2027-03-01")
    click_and_load(page, page.get_by_role("button", name="Registreren"))
    barrier = Barrier.objects.get(municipality=world.eindhoven)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^" + re.escape(barrier.reference)))
    assert barrier.links.get().case == case

    # A legal checker tries national first and is refused until local and regional attempts are recorded.
    log_out(page)
    browser_login(page, "lars")
    page.goto(f"/knelpunten/{barrier.pk}/")
    escalate(page, "national", "Landelijk Maatwerkloket", due)
    error = page.locator("#id_level_error")
    expect(error).to_contain_text("pas als er lokale en regionale pogingen zijn vastgelegd")
    assert not barrier.escalations.exists()
    click_and_load(page, page.get_by_role("link", name="Annuleren"))
    escalate(page, "municipality", "Maatwerkfunctionaris Eindhoven", due)
    # The next step, without an answer yet, is refused until a reason is given.
    escalate(page, "region", "Regio Zuidoost-Brabant", due)
    expect(page.locator("#id_reason_error")).to_contain_text("heeft nog geen antwoord")
    click_and_load(page, page.get_by_role("link", name="Annuleren"))
    escalate(page, "region", "Regio Zuidoost-Brabant", due, reason="De opvang stopt volgende week.")
    escalate(page, "national", "Landelijk Maatwerkloket", due, reason="Regionaal geen ruimte in de regels.")
    assert list(barrier.escalations.values_list("level", flat=True)) == [
        Level.MUNICIPALITY,
        Level.REGION,
        Level.NATIONAL,
    ]
    expect(page.get_by_test_id("barrier-status")).to_have_text("geëscaleerd")

    # The programme sees it suggested together with Utrecht's, merges, and sees one signal.
    log_out(page)
    browser_login(page, "pat")
    page.goto("/knelpunten/landelijk/")
    suggestion = page.get_by_test_id("suggestion")
    expect(suggestion).to_have_count(1)
    click_and_load(page, suggestion.get_by_role("button", name="Samenvoegen tot één signaal"))
    register = page.get_by_test_id("national-register")
    row = register.get_by_role("row").filter(has_text="Eindhoven, Utrecht")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("signaal")
    content = page.content()
    for secret in ("Zwanenburg", "Oosterhout", "Wilhelmina", "Gerrit", "111222333", "123456782"):
        assert secret not in content


def test_correcting_a_barrier_keeps_what_was_not_touched(page, world):
    barrier = childcare_barrier(world)
    browser_login(page, "bob")
    page.goto(f"/knelpunten/{barrier.pk}/")
    click_and_load(page, page.get_by_role("link", name="Wijzigen"))
    # The form comes filled in, the date too (a date input only shows ISO dates).
    expect(page.get_by_label("datum van het risico")).to_have_value("2027-03-01")
    page.get_by_label("wetsartikel").fill("art. 31 Awir")
    click_and_load(page, page.get_by_role("button", name="Opslaan"))
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()
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
    click_and_load(page, page.get_by_role("button", name="Filter"))
    pages = page.get_by_role("navigation", name="Pagina's van het knelpuntenregister")
    expect(pages).to_contain_text("Pagina 1 van 2")
    click_and_load(page, pages.get_by_role("link", name="Volgende pagina"))
    expect(pages).to_contain_text("Pagina 2 van 2")
    expect(page.get_by_label("status")).to_have_value("escalated")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Knelpunt 001")
    assert "Nog open" not in page.content()
