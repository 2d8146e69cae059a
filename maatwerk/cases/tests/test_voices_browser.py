"""A worker closes a case with a critical quote the client consented to, and checks what others will see."""

import pytest
from playwright.sync_api import expect

from conftest import browser_login, click_and_load
from maatwerk.cases.models import Voice

from .factories import household_of_two, seed_themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_closes_with_a_critical_quote_and_shares_its_de_identified_version(page, world):
    seed_themes()
    case = household_of_two(world)  # Sanne and her son Daan Verhoeven
    browser_login(page, "alice")
    page.goto(f"/casussen/{case.pk}/")
    click_and_load(page, page.get_by_role("link", name="Casus afsluiten"))
    page.get_by_label("ja", exact=True).check()
    page.get_by_label("Cijfer van de cliënt").fill("5")
    page.get_by_label("Citaat van de cliënt").fill(
        "Mevrouw Verhoeven en haar zoon Daan werden van loket naar loket gestuurd."
    )
    page.get_by_label("Cliënt geeft toestemming").check()
    page.get_by_label("Toon van het citaat").select_option("critical")
    page.get_by_role("group", name="Thema's van het citaat").get_by_label("regels die knellen").check()
    page.get_by_role("group", name="Toon van je reflectie").get_by_label("gemengd").check()
    click_and_load(page, page.get_by_role("button", name="Opslaan"))

    expect(page.get_by_role("heading", name="Stemmen", level=1)).to_be_visible()
    expect(page.get_by_text("Controleer nu wat anderen")).to_be_visible()
    suggestion = page.get_by_label("Tekst zoals anderen die zien")
    expect(suggestion).to_have_value(
        "[PERSOON-1] en haar zoon [PERSOON-2] werden van loket naar loket gestuurd."
    )
    click_and_load(page, page.get_by_role("button", name="Controleren en delen"))

    expect(page.get_by_text("Gecontroleerd en gedeeld.")).to_be_visible()
    expect(page.get_by_test_id("shared-text")).to_have_text(
        "[PERSOON-1] en haar zoon [PERSOON-2] werden van loket naar loket gestuurd."
    )
    voice = Voice.objects.shared().get()
    assert voice.case == case and voice.tone == "critical"
    assert "Verhoeven" not in voice.shared_text and "Daan" not in voice.shared_text


def test_a_voice_being_de_identified_appears_for_checking_without_a_reload(page, world):
    seed_themes()
    case = household_of_two(world)
    voice = Voice.objects.create(
        municipality=case.municipality,
        team=case.team,
        case=case,
        group="client",
        respondent=f"household:{case.household_id}",
        text="Daan kreeg eindelijk zijn toeslag.",
        tone="positive",
        said_on=case.opened_on,
        consent=True,
        recorded_by=world.alice,
    )
    browser_login(page, "alice")
    page.goto(f"/casussen/{case.pk}/stemmen/")
    expect(page.get_by_text("Wordt geanonimiseerd…")).to_be_visible()
    # What the task worker does when the anonymiser is done; the page polls and shows the suggestion.
    Voice.objects.filter(pk=voice.pk).update(
        state=Voice.State.REVIEW, shared_text="[PERSOON-1] kreeg eindelijk zijn toeslag."
    )
    expect(page.get_by_label("Tekst zoals anderen die zien")).to_have_value(
        "[PERSOON-1] kreeg eindelijk zijn toeslag."
    )
    expect(page.get_by_text("Wordt geanonimiseerd…")).to_have_count(0)
