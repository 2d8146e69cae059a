"""In Chromium: the researcher asks, the policy officer approves, the progress bar runs as the worker
reports, and the researcher downloads the zip.

The database backend only queues the job here (the tests' ImmediateBackend would build it before the
page could show a bar); the test then runs the task by a call, as the worker would, while the page polls."""

import zipfile

import pytest
from playwright.sync_api import expect

from conftest import browser_login, click_and_load, htmx_ready, new_page
from maatwerk.accounts.models import AccessLog
from maatwerk.research import export as engine
from maatwerk.research.models import ResearchExport
from maatwerk.research.tasks import build_research_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_approve_progress_and_download(page, browser, live_server, world, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    browser_login(page, "rita")
    page.goto("/onderzoek/")
    click_and_load(page, page.get_by_role("link", name="Nieuwe aanvraag"))
    page.get_by_label("doel").fill("Evaluatie van maatwerk in de wijkteams")
    page.get_by_label("onderzoeksvraag").fill("Welke kosten worden vermeden?")
    page.get_by_label("eerste maand").fill("2024-01")
    page.get_by_label("laatste maand").fill("2024-12")
    page.get_by_label("Eindhoven").check()
    page.get_by_label("uitkomst en cijfer van de cliënt").check()
    page.get_by_label("nee").check()
    click_and_load(page, page.get_by_role("button", name="Aanvraag versturen"))
    expect(page.get_by_test_id("part-state")).to_have_text("wacht op besluit")
    detail = page.url

    erin = new_page(browser, live_server.url)
    try:
        browser_login(erin, "erin")
        erin.goto("/onderzoek/")
        click_and_load(erin, erin.get_by_role("link", name="#", exact=False).first)
        erin.get_by_label("goedkeuren").check()
        erin.get_by_label("reden").fill("Het doel past bij ons beleid")
        click_and_load(erin, erin.get_by_role("button", name="Besluit vastleggen"))
        expect(erin.get_by_test_id("part-state")).to_have_text("goedgekeurd")
    finally:
        erin.context.close()

    page.goto(detail)
    htmx_ready(page)
    expect(page.get_by_test_id("export-state")).to_have_text("in de wachtrij")
    progress_bar = page.get_by_role("progressbar", name="Voortgang van de export")
    expect(progress_bar).to_have_attribute("value", "0")

    # The worker (this test, by a call) runs the job; halfway, while the job waits, the page must show the
    # progress it reported, without a reload.
    real_build = engine.build

    def halfway(export, *, out_dir, progress):
        progress("cases", 5, 10)
        expect(page.get_by_test_id("export-state")).to_have_text("wordt gemaakt")
        expect(page.get_by_test_id("export-percent")).to_have_text("50%")
        expect(progress_bar).to_have_attribute("value", "50")
        return real_build(export, out_dir=out_dir, progress=progress)

    monkeypatch.setattr(engine, "build", halfway)
    export = ResearchExport.objects.get()
    assert build_research_export.call(export.pk, export.attempt)["result"] == "done"
    download = page.get_by_role("link", name="Export downloaden")
    expect(download).to_be_visible()
    expect(page.get_by_test_id("export-status")).not_to_have_attribute("hx-trigger", "every 2s")

    with page.expect_download() as info:
        download.click()
    path = info.value.path()
    assert zipfile.is_zipfile(path)
    assert "manifest.json" in zipfile.ZipFile(path).namelist()
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=world.rita).count() == 1
