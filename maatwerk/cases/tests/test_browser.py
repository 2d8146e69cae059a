import datetime
import re

import pytest
from playwright.sync_api import expect

from conftest import browser_login, click_and_load, htmx_ready
from maatwerk.accounts.models import AccessLog
from maatwerk.cases.models import Case, FollowUp, Status
from maatwerk.cases.tests.factories import seed_themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_walks_a_case_from_intake_to_aftercare(page, world):
    seed_themes()
    browser_login(page, "alice")
    click_and_load(
        page, page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="Casussen")
    )
    click_and_load(page, page.get_by_role("link", name="Nieuwe casus"))

    # Household and situation, with a wrong BSN first: a Dutch error that names the field, nothing saved.
    page.get_by_label("Naam van het huishouden").fill("Öztürk")
    page.get_by_label("Voornaam").fill("Esra")
    page.get_by_label("Achternaam").fill("Öztürk")
    page.get_by_label("BSN").fill("123456789")
    page.get_by_label("Geboortejaar").fill("1987")
    page.get_by_label("Waar het systeem vastloopt").fill(
        "Kinderopvangtoeslag verrekend met een belastingschuld"
    )
    page.get_by_label("financiën", exact=True).check()
    page.get_by_label("werk en opleiding", exact=True).check()
    page.get_by_label("Belastingdienst/Toeslagen", exact=True).check()
    page.get_by_label("Doel van het huishouden").fill("Blijven werken")
    click_and_load(page, page.get_by_role("button", name="Casus openen"))
    expect(page.get_by_text("BSN: Dit is geen geldig BSN")).to_be_visible()
    assert not Case.objects.exists()
    page.get_by_label("BSN").fill("111222333")
    click_and_load(page, page.get_by_role("button", name="Casus openen"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Öztürk")
    expect(page.get_by_text("******333")).to_be_visible()

    # A note and hours.
    page.get_by_role("textbox", name="Notitie").fill("Eerste gesprek: toeslag sinds maart verrekend.")
    click_and_load(page, page.get_by_role("button", name="Notitie toevoegen"))
    notes = page.locator("#notes")  # the note is in the timeline too
    expect(notes.get_by_text("Eerste gesprek: toeslag sinds maart verrekend.")).to_be_visible()
    page.get_by_role("textbox", name=re.compile(r"^Uren")).fill("1,5")
    click_and_load(page, page.get_by_role("button", name="Uren schrijven"))
    expect(page.get_by_role("heading", name=re.compile("Bestede tijd: 1,50"))).to_be_visible()

    # Forward, one step at a time (the next step is preselected).
    for label in ("analyse", "plan", "uitvoering"):
        click_and_load(page, page.get_by_role("button", name="Status wijzigen"))
        expect(page.get_by_role("heading", name=f"Status: {label}")).to_be_visible()

    # An MDT consultation.
    click_and_load(page, page.get_by_role("link", name="Een MDO vastleggen"))
    page.get_by_label("Vraag aan het overleg").fill("Opvang overbruggen met maatwerkbudget?")
    page.get_by_label("Datum").fill("2026-03-02")
    page.get_by_label("Deelnemer 1: rol").fill("consulent")
    page.get_by_label("Deelnemer 1: organisatie").fill("Belastingdienst/Toeslagen")
    page.get_by_label("Advies").fill("Drie maanden overbruggen")
    page.get_by_label("Besluit").fill("Akkoord")
    click_and_load(page, page.get_by_role("button", name="Opslaan"))
    expect(page.get_by_text("consulent (Belastingdienst/Toeslagen)")).to_be_visible()

    # Closing with grade and quote.
    click_and_load(page, page.get_by_role("link", name="Casus afsluiten"))
    page.get_by_label("ja", exact=True).check()
    page.get_by_label("Wat veranderde er in inkomen").fill("Toeslag weer uitbetaald")
    page.get_by_label("Cijfer van de cliënt").fill("9")
    page.get_by_label("Citaat van de cliënt").fill("Eindelijk iemand die doorpakte.")
    page.get_by_label("Cliënt geeft toestemming").check()
    # A quote shared with consent needs its tone and a theme.
    page.get_by_label("Toon van het citaat").select_option("positive")
    page.get_by_role("group", name="Thema's van het citaat").get_by_label("vertrouwen en ruimte").check()
    page.get_by_label("positief", exact=True).check()
    click_and_load(page, page.get_by_role("button", name="Opslaan"))
    # The quote leaves the team only de-identified: first to the voices, to check that version.
    expect(page.get_by_role("heading", name="Stemmen", level=1)).to_be_visible()
    click_and_load(page, page.get_by_role("link", name="Terug naar de casus"))
    expect(page.get_by_role("heading", name="Status: afgesloten")).to_be_visible()
    expect(page.get_by_text("Eindelijk iemand die doorpakte.")).to_be_visible()

    # Just closed: the follow-ups open two weeks before they are due, and the page says when.
    expect(page.get_by_role("link", name="Nazorg vastleggen")).to_have_count(0)
    expect(page.get_by_text("vast te leggen vanaf").first).to_be_visible()
    # Three months later (the due date moved instead of the clock), the first follow-up moves the case to
    # aftercare.
    FollowUp.objects.filter(kind=FollowUp.Kind.THREE_MONTHS).update(due_on=datetime.date.today())
    page.reload()
    htmx_ready(page)
    click_and_load(page, page.get_by_role("link", name="Nazorg vastleggen").first)
    page.get_by_label("nee", exact=True).check()
    page.get_by_label("Woning behouden").select_option("yes")
    click_and_load(page, page.get_by_role("button", name="Opslaan"))
    expect(page.get_by_role("heading", name="Status: nazorg")).to_be_visible()

    case = Case.objects.get()
    assert case.status == Status.AFTERCARE and case.feedback.grade == 9
    assert AccessLog.objects.filter(user=world.alice, action="read", household_id=case.household_id).exists()
