"""The issue's journey in real Chromium: a worker closes a case with a critical quote; the policy user finds
it on the stories page, selects it for a report with a reason, reads the warnings and downloads the report
with the voice-balance indicator."""

import datetime
import subprocess

import pytest
from playwright.sync_api import expect

from conftest import browser_login, click_and_load, new_page
from maatwerk.cases.models import Conversation, Voice
from maatwerk.cases.tests.factories import household_of_two, seed_themes
from maatwerk.insights.models import StorySelection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "Mevrouw Verhoeven en haar zoon Daan werden maandenlang van loket naar loket gestuurd."
SHARED = "[PERSOON-1] en haar zoon [PERSOON-2] werden maandenlang van loket naar loket gestuurd."


def test_a_critical_quote_travels_from_the_closing_to_the_policy_users_report(
    page, world, browser, live_server, tmp_path
):
    seed_themes()
    # Eindhoven heard enough clients and workers at a reflection meeting for policy to see their voices
    # (fewer than 10 would be hidden).
    Conversation.objects.create(
        municipality=world.eindhoven,
        team=world.team_a,
        kind=Conversation.Kind.REFLECTION_MEETING,
        held_on=datetime.date.today(),
        context="Reflectiebijeenkomst over toeslagen",
        clients=12,
        workers=11,
        recorded_by=world.dave,
    )
    case = household_of_two(world)  # Sanne and her son Daan Verhoeven

    # The worker closes the case with the client's critical quote and shares its de-identified version.
    browser_login(page, "alice")
    page.goto(f"/casussen/{case.pk}/afsluiten/")
    page.get_by_label("ja", exact=True).check()
    page.get_by_label("Cijfer van de cliënt").fill("4")
    page.get_by_label("Citaat van de cliënt").fill(QUOTE)
    page.get_by_label("Cliënt geeft toestemming").check()
    page.get_by_label("Toon van het citaat").select_option("critical")
    page.get_by_role("group", name="Thema's van het citaat").get_by_label("regels die knellen").check()
    page.get_by_role("group", name="Toon van je reflectie").get_by_label("kritisch").check()
    click_and_load(page, page.get_by_role("button", name="Opslaan"))
    expect(page.get_by_label("Tekst zoals anderen die zien")).to_have_value(SHARED)
    click_and_load(page, page.get_by_role("button", name="Controleren en delen"))
    expect(page.get_by_text("Gecontroleerd en gedeeld.")).to_be_visible()
    voice = Voice.objects.shared().get()

    # The policy user finds it on the stories page: de-identified, never as said.
    policy = new_page(browser, live_server.url)
    try:
        browser_login(policy, "erin")
        click_and_load(policy, policy.get_by_role("link", name="Verhalen"))
        card = policy.get_by_test_id(f"voice-{voice.pk}")
        expect(card).to_contain_text(SHARED)
        expect(policy.get_by_text("Verhoeven")).to_have_count(0)

        # She selects it for a new report, with the panel's reason.
        card.get_by_text("Kiezen voor een verslag").click()
        card.get_by_label("Titel van het nieuwe verslag").fill("Reflectiebijeenkomst december")
        card.get_by_label("Waarom dit verhaal?").fill("Laat zien hoe loketten elkaar doorschuiven.")
        click_and_load(policy, card.get_by_role("button", name="Aan het verslag toevoegen"))
        expect(policy.get_by_text("Het verhaal staat in het verslag")).to_be_visible()
        selection = StorySelection.objects.get()
        assert selection.voice == voice and "loketten" in selection.reason

        # The report: the story, its reason, the indicator; the workers (11 of 23 heard) have no quote in
        # it, so it is flagged and leaves only once someone read that.
        policy.goto(f"/verhalen/verslagen/{selection.report_id}/")
        expect(policy.get_by_text(SHARED)).to_be_visible()
        expect(policy.get_by_text("Laat zien hoe loketten elkaar doorschuiven.")).to_be_visible()
        expect(policy.get_by_text("maar er staat geen enkel citaat van hen in")).to_be_visible()
        policy.get_by_label("Notitie").fill("Wordt in de bijeenkomst aangevuld met stemmen van werkers.")
        click_and_load(policy, policy.get_by_role("button", name="Ik heb de waarschuwingen gelezen"))
        with policy.expect_download() as download:
            policy.get_by_role("link", name="Markdown").click()
        markdown = download.value.path().read_text(encoding="utf-8")
        # Markdown escapes the tags' brackets ("\\[PERSOON-1\\]").
        assert "[PERSOON-1\\] en haar zoon" in markdown and "Stembalans" in markdown
        assert "Verhoeven" not in markdown and "Daan" not in markdown
        with policy.expect_download() as download:
            policy.get_by_role("link", name="CSV (spreadsheet)").click()
        assert SHARED in download.value.path().read_text(encoding="utf-8-sig")
        pdf = policy.request.get(f"/verhalen/verslagen/{selection.report_id}.pdf")
        assert pdf.ok and pdf.body().startswith(b"%PDF")
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf.body())
        text = " ".join(
            subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split()
        )
        assert "Stembalans" in text and "loket naar loket" in text and "Verhoeven" not in text
    finally:
        policy.context.close()
