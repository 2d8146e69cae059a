"""The pages under /onderzoek/: asking, deciding, the export's state and the download."""

import datetime
import io
import re
import zipfile

from django.utils import timezone

from maatwerk.accounts.models import AccessLog
from maatwerk.research.models import RequestPart, ResearchExport, ResearchRequest

from .factories import approved, ask, stub_build

FORM = {
    "purpose": "Evaluatie van maatwerk",
    "question": "Welke kosten worden vermeden?",
    "period_from": "2024-01",
    "period_to": "2024-06",
    "variable_groups": ["outcome"],
    "free_text": "no",
}


def test_researcher_sends_a_request_from_the_form(world, client_for):
    client = client_for(world.rita)
    response = client.post("/onderzoek/nieuw/", {**FORM, "municipalities": [world.eindhoven.pk]})
    request = ResearchRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/onderzoek/{request.pk}/"
    assert request.variable_groups == ["outcome"] and request.free_text is False
    page = client.get(f"/onderzoek/{request.pk}/").content.decode()
    assert "Welke kosten worden vermeden?" in page and "wacht op besluit" in page


def test_bad_form_is_shown_again_with_dutch_field_errors(world, client_for):
    response = client_for(world.rita).post(
        "/onderzoek/nieuw/", {**FORM, "period_to": "2023-01", "question": "Mail naar jan@example.nl"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "De laatste maand ligt voor de eerste." in page
    assert "Kies minstens één gemeente." in page
    assert "e-mailadres" in page
    assert not ResearchRequest.objects.exists()


def test_every_wrong_field_is_named_at_once_also_when_some_are_missing(world, client_for):
    # What a researcher met in the browser: the form's "required" came first, the rules on the next try.
    response = client_for(world.rita).post(
        "/onderzoek/nieuw/",
        {"purpose": "   ", "question": "Bel 0612345678", "period_from": "2026-05", "period_to": "2025-01"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Dit veld is verplicht.") == 1  # the purpose, once
    assert "De laatste maand ligt voor de eerste." in page
    assert "Kies minstens één gemeente." in page
    assert "Kies ja of nee." in page
    assert "telefoonnummer" in page
    assert "onderzoeksvraag: Onderzoeksvraag" not in page  # the label once, before the message
    # The service's errors are wired like the form's: the field says it is invalid and where why is.
    assert re.search(r'<textarea[^>]*name="question"[^>]*aria-invalid="true"', page) or re.search(
        r'<textarea[^>]*aria-invalid="true"[^>]*name="question"', page
    )
    assert 'aria-describedby="id_question_error id_question_help"' in page
    assert not ResearchRequest.objects.exists()


def test_an_empty_post_names_the_fields_instead_of_failing(world, client_for):
    response = client_for(world.rita).post("/onderzoek/nieuw/", {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dit veld is verplicht." in page and "Kies minstens één gemeente." in page


def test_policy_officer_approves_from_the_detail_page_and_the_export_is_built(world, client_for):
    request = ask(world)
    part = request.parts.get()
    client = client_for(world.erin)
    assert "Aanvragen om onderzoeksdata" in client.get("/onderzoek/").content.decode()
    response = client.post(
        f"/onderzoek/onderdelen/{part.pk}/besluit/",
        {f"part-{part.pk}-decision": "approve", f"part-{part.pk}-reason": "Past bij het beleid"},
    )
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.state == RequestPart.State.APPROVED and part.reason == "Past bij het beleid"
    assert ResearchExport.objects.get(request=request).state == ResearchExport.State.DONE


def test_decision_without_reason_is_refused(world, client_for):
    part = ask(world).parts.get()
    response = client_for(world.erin).post(
        f"/onderzoek/onderdelen/{part.pk}/besluit/", {f"part-{part.pk}-decision": "reject"}
    )
    assert response.status_code == 400
    part.refresh_from_db()
    assert part.state == RequestPart.State.PENDING


def test_researcher_cannot_decide_her_own_request(world, client_for):
    part = ask(world).parts.get()
    response = client_for(world.rita).post(
        f"/onderzoek/onderdelen/{part.pk}/besluit/",
        {f"part-{part.pk}-decision": "approve", f"part-{part.pk}-reason": "Graag"},
    )
    assert response.status_code == 403


def test_status_fragment_polls_while_running_and_stops_when_done(world, client_for):
    export = approved(world).export
    client = client_for(world.rita)
    ResearchExport.objects.filter(pk=export.pk).update(
        state=ResearchExport.State.RUNNING, stage="writing", progress_done=1, progress_total=3
    )
    running = client.get(f"/onderzoek/{export.request_id}/status/").content.decode()
    # A third of the writing stage, which spans 20-95 % of the bar.
    assert 'hx-trigger="every 2s"' in running and 'value="45"' in running and "45%" in running
    assert "bestanden schrijven" in running
    ResearchExport.objects.filter(pk=export.pk).update(state=ResearchExport.State.DONE)
    done = client.get(f"/onderzoek/{export.request_id}/status/").content.decode()
    assert "hx-trigger" not in done and "Export downloaden" in done


def test_researcher_downloads_a_zip_and_it_is_logged(world, client_for):
    export = approved(world).export
    response = client_for(world.rita).get(f"/onderzoek/{export.request_id}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "manifest.json" in archive.namelist()
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=world.rita).count() == 1


def test_expired_export_is_not_downloaded(world, client_for):
    export = approved(world).export
    ResearchExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client_for(world.rita).get(f"/onderzoek/{export.request_id}/download/")
    assert response.status_code == 302
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_unapproved_request_has_nothing_to_download(world, client_for):
    request = ask(world)
    assert client_for(world.rita).get(f"/onderzoek/{request.pk}/download/").status_code == 403


def test_policy_officer_sees_the_export_state_but_cannot_download(world, client_for):
    export = approved(world).export
    client = client_for(world.erin)
    page = client.get(f"/onderzoek/{export.request_id}/").content.decode()
    assert "klaar" in page and "Export downloaden" not in page
    assert client.get(f"/onderzoek/{export.request_id}/download/").status_code == 403


def test_failed_export_shows_why_and_retries(world, client_for, monkeypatch):
    from maatwerk.research import export as engine

    def broken(export, *, out_dir, progress):
        raise engine.ExportError("Te weinig huishoudens.")

    monkeypatch.setattr(engine, "build", broken)
    export = approved(world).export
    client = client_for(world.rita)
    page = client.get(f"/onderzoek/{export.request_id}/").content.decode()
    assert "Te weinig huishoudens." in page and "Opnieuw proberen" in page
    monkeypatch.setattr(engine, "build", stub_build)
    assert client.post(f"/onderzoek/{export.request_id}/opnieuw/").status_code == 302
    export.refresh_from_db()
    assert export.state == ResearchExport.State.DONE and export.attempt == 2


def test_other_researcher_gets_404_on_the_request(world, client_for):
    from conftest import make_user

    request = ask(world)
    other = client_for(make_user("roos", "researcher", municipality=world.eindhoven))
    assert other.get(f"/onderzoek/{request.pk}/").status_code == 404
    assert other.get(f"/onderzoek/{request.pk}/download/").status_code == 404


def test_policy_of_another_municipality_gets_404(world, client_for):
    from conftest import make_user

    request = ask(world)
    uma = client_for(make_user("uma", "policy", municipality=world.utrecht))
    assert uma.get(f"/onderzoek/{request.pk}/").status_code == 404


def test_navigation_shows_research_to_researcher_and_policy_only(world, client_for):
    for user, shown in ((world.rita, True), (world.erin, True), (world.alice, False), (world.pat, False)):
        page = client_for(user).get("/", follow=True).content.decode()
        assert ('href="/onderzoek/"' in page) is shown, user


def test_ready_export_says_what_the_file_holds(world, client_for):
    export = approved(world).export
    ResearchExport.objects.filter(pk=export.pk).update(
        manifest={
            "rows": 1234,
            "anonymity": {"k_reached": 12, "l_reached": 3, "suppressed_rows": 40, "withheld_rows": 1},
        }
    )
    page = client_for(world.rita).get(f"/onderzoek/{export.request_id}/").content.decode()
    assert "1234 casussen" in page and "minstens 12 huishoudens" in page and "40 rijen onderdrukt" in page
