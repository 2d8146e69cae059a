"""Story reports for the reflection meeting: selecting stories with a reason (Most Significant Change),
who sees a report, the voice-balance warnings that hold an export back, and the exports themselves (no
personal data, a withdrawn consent gone at once)."""

import datetime
import itertools
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from conftest import make_user
from maatwerk.accounts.models import AccessLog, Role
from maatwerk.cases.models import Conversation, RespondentGroup, Theme, Voice
from maatwerk.cases.services.voices import withdraw_consent
from maatwerk.insights.models import StoryReport, StorySelection
from maatwerk.insights.stories.reports import services

from .facts import fact, save

pytestmark = pytest.mark.django_db
SAID = datetime.date(2026, 3, 10)
_respondent = itertools.count(1)
SECRET = "ZEGGENSCHAP-GEHEIM"  # in every voice's `text`, never in its `shared_text`


def voice(
    world, group, tone="critical", *, team=None, municipality=None, shared=None, kind="quote", theme=None
):
    n = next(_respondent)
    v = Voice.objects.create(
        municipality=municipality or (team.municipality if team else world.eindhoven),
        team=team,
        group=group,
        role="debt counsellor" if group == RespondentGroup.PARTNER else "",
        respondent=f"test:{n}",
        kind=kind,
        text=f"{SECRET} {n}: mevrouw Jansen van de Dorpsstraat 4 zei het zo.",
        shared_text=shared or f"Gedeeld verhaal nummer {n}: de regels knellen.",
        tone=tone,
        said_on=SAID,
        consent=True,
        state=Voice.State.SHARED,
        recorded_by=world.dave,
    )
    if theme:
        v.themes.add(theme)
    return v


def heard(world, *, municipality=None, team=None, **counts):
    return Conversation.objects.create(
        municipality=municipality or world.eindhoven,
        team=team,
        kind=Conversation.Kind.EVALUATION,
        held_on=SAID,
        context="Evaluatie van de aanpak.",
        recorded_by=world.erin,
        **counts,
    )


@pytest.fixture
def programme(world):
    """The programme's own situation in Eindhoven: 104 clients and workers heard and 10 project-group
    members; every group has shared quotes, critical ones among the clients and workers."""
    heard(world, clients=60, workers=44, policy=10)
    policy = [voice(world, RespondentGroup.POLICY, "positive") for _ in range(10)]
    clients = [voice(world, RespondentGroup.CLIENT, "critical", team=world.team_a) for _ in range(4)]
    workers = [voice(world, RespondentGroup.WORKER, "critical", team=world.team_a) for _ in range(3)]
    return policy, clients, workers


def new_report(world, user=None, title="Reflectiebijeenkomst maart"):
    return services.create_report(by=user or world.erin, title=title)


def select(client, report, v, reason="Dit laat zien waar het schuurt.", **extra):
    data = {"voice": v.pk, "report": report if report == "new" else report.pk, "reason": reason, **extra}
    return client.post(reverse("stories:select"), data)


def export(client, report, fmt):
    return client.get(reverse("stories:export", kwargs={"pk": report.pk, "fmt": fmt}))


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


# --- selecting ------------------------------------------------------------------------------------------


def test_policy_selects_a_story_with_a_reason_and_sees_it_in_the_report(world, programme, client_for):
    _policy, clients, _workers = programme
    report = new_report(world)
    c = client_for(world.erin)
    response = select(c, report, clients[0], reason="Het eerlijkste verhaal van de dag.", next="/verhalen/")
    assert response.status_code == 302 and response["Location"] == "/verhalen/"
    selection = StorySelection.objects.get(report=report)
    assert (selection.voice, selection.selected_by) == (clients[0], world.erin)
    page = c.get(reverse("stories:report", kwargs={"pk": report.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert clients[0].shared_text in html and "Het eerlijkste verhaal van de dag." in html
    assert SECRET not in html
    assert AccessLog.objects.filter(purpose="story selected for report", object_id=str(report.pk)).exists()


def test_a_reason_is_required_and_the_error_names_the_field(world, programme, client_for):
    report = new_report(world)
    response = select(client_for(world.erin), report, programme[1][0], reason="  ")
    assert response.status_code == 400
    assert "Reden voor de keuze" in response.content.decode()
    assert not StorySelection.objects.exists()


def test_a_new_report_without_a_reason_is_not_kept(world, programme, client_for):
    response = select(client_for(world.erin), "new", programme[1][0], reason="", **{"new-title": "Nieuw"})
    assert response.status_code == 400
    assert not StoryReport.objects.exists()


def test_the_select_control_can_make_a_new_report_over_the_current_filters(world, programme, client_for):
    data = {"new-title": "Bijeenkomst april", "new-period_from": "2026-03", "new-period_to": "2026-03"}
    response = select(client_for(world.erin), "new", programme[1][0], next="https://elders.example/", **data)
    report = StoryReport.objects.get()
    # `next` outside this site is not followed.
    assert response["Location"] == reverse("stories:report", kwargs={"pk": report.pk})
    assert (report.title, report.level, report.municipality, report.period_from) == (
        "Bijeenkomst april",
        "municipality",
        world.eindhoven,
        datetime.date(2026, 3, 1),
    )
    assert report.selections.count() == 1


def test_a_voice_of_another_municipality_cannot_be_selected(world, programme, client_for):
    heard(world, municipality=world.utrecht, clients=40)
    utrecht = voice(world, RespondentGroup.CLIENT, team=world.team_c)
    report = new_report(world)
    response = select(client_for(world.erin), report, utrecht)
    assert response.status_code == 400
    assert "buiten" in response.content.decode()  # "outside the report's scope", in Dutch
    assert not StorySelection.objects.exists()


def test_a_voice_of_a_group_hidden_for_policy_cannot_be_selected(world, programme):
    lead = voice(world, RespondentGroup.TEAM_LEAD, team=world.team_a)  # no team leads counted: hidden
    report = new_report(world)
    with pytest.raises(ValidationError) as raised:
        services.select_voice(report, lead, by=world.erin, reason="Belangrijk.")
    assert "voice" in raised.value.message_dict
    assert not StorySelection.objects.exists()


def test_a_report_of_another_municipality_cannot_take_a_story(world, programme, client_for):
    ulla = make_user("ulla", Role.POLICY, municipality=world.utrecht)
    report = new_report(world)
    response = select(client_for(ulla), report, programme[1][0])
    assert response.status_code == 400  # the report is not one of hers: an error at the field
    assert not StorySelection.objects.exists()
    with pytest.raises(Http404):
        services.select_voice(report, programme[1][0], by=ulla, reason="Belangrijk.")


def test_the_same_story_is_selected_once(world, programme):
    report = new_report(world)
    services.select_voice(report, programme[1][0], by=world.erin, reason="Belangrijk.")
    with pytest.raises(ValidationError):
        services.select_voice(report, programme[1][0], by=world.rita, reason="Ook belangrijk.")


def test_unselect_takes_the_story_out(world, programme, client_for):
    report = new_report(world)
    services.select_voice(report, programme[1][0], by=world.erin, reason="Belangrijk.")
    c = client_for(world.rita)  # researcher of the same municipality: the same panel
    response = c.post(reverse("stories:unselect", kwargs={"pk": report.pk}), {"voice": programme[1][0].pk})
    assert response.status_code == 302
    assert not StorySelection.objects.exists()


# --- who sees a report ----------------------------------------------------------------------------------


def test_policy_of_another_municipality_gets_404_on_the_report_and_its_exports(world, programme, client_for):
    ulla = make_user("ulla", Role.POLICY, municipality=world.utrecht)
    report = new_report(world)
    c = client_for(ulla)
    assert c.get(reverse("stories:report", kwargs={"pk": report.pk})).status_code == 404
    for fmt in ("pdf", "md", "csv"):
        assert export(c, report, fmt).status_code == 404
    assert c.post(reverse("stories:acknowledge", kwargs={"pk": report.pk}), {"note": "x"}).status_code == 404


def test_a_team_report_is_for_the_team_leads_not_for_policy(world, client_for):
    heard(world, team=world.team_a, clients=12)
    report = services.create_report(by=world.dave, title="Teamoverleg")
    assert (report.level, report.team) == ("team", world.team_a)
    assert client_for(world.dave).get(reverse("stories:report", kwargs={"pk": report.pk})).status_code == 200
    assert client_for(world.erin).get(reverse("stories:report", kwargs={"pk": report.pk})).status_code == 404


def test_a_worker_cannot_open_the_reports(world, client_for):
    assert client_for(world.alice).get(reverse("stories:reports")).status_code == 403


def test_the_report_list_starts_a_report_and_names_a_missing_title(world, client_for):
    c = client_for(world.erin)
    response = c.post(reverse("stories:reports"), {"title": ""})
    assert response.status_code == 400 and "Titel" in response.content.decode()
    assert not StoryReport.objects.exists()
    response = c.post(reverse("stories:reports"), {"title": "Maart", "period_from": "2026-03"})
    report = StoryReport.objects.get()
    assert response["Location"] == reverse("stories:report", kwargs={"pk": report.pk})
    assert "Maart" in c.get(reverse("stories:reports")).content.decode()


def test_a_municipality_outside_the_audience_is_an_error_at_the_field(world):
    with pytest.raises(ValidationError) as raised:
        services.create_report(
            by=world.erin,
            title="Elders",
            filters=services.source.StoryFilters(municipality=world.utrecht.pk),
        )
    assert "municipality" in raised.value.message_dict


# --- the warnings and the exports -----------------------------------------------------------------------


def test_the_programmes_own_situation_is_flagged_and_not_exported_until_acknowledged(
    world, programme, client_for, tmp_path
):
    policy, _clients, _workers = programme
    report = new_report(world)
    for v in policy:
        services.select_voice(report, v, by=world.erin, reason="Goed verwoord.")
    c = client_for(world.erin)
    page = c.get(reverse("stories:report", kwargs={"pk": report.pk}))
    html = page.content.decode()
    assert "geen enkel citaat" in html.lower() or "niet één" in html.lower()
    assert "Ik heb de waarschuwingen gelezen" in html
    for fmt in ("pdf", "md", "csv"):
        assert export(c, report, fmt).status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()

    # A note is required.
    response = c.post(reverse("stories:acknowledge", kwargs={"pk": report.pk}), {"note": ""})
    assert response.status_code == 400 and "Notitie" in response.content.decode()
    response = c.post(
        reverse("stories:acknowledge", kwargs={"pk": report.pk}),
        {"note": "Bewust: deze bijeenkomst ging over de projectgroep."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.acknowledged_by == world.erin and set(report.acknowledged_flags) >= {
        "missing:client",
        "missing:worker",
    }

    md = export(c, report, "md")
    assert md.status_code == 200
    text = md.content.decode()
    warnings_at, stories_at = text.index("Waarschuwingen"), text.index("Gekozen verhalen")
    assert warnings_at < stories_at
    assert "geen enkel citaat" in text[warnings_at:stories_at] and "Bewust: deze bijeenkomst" in text
    csv = export(c, report, "csv").content.decode("utf-8-sig")
    assert csv.splitlines()[3].startswith("Waarschuwing;")
    pdf = export(c, report, "pdf").content
    assert pdf.startswith(b"%PDF")
    assert "Waarschuwingen" in pdf_text(pdf, tmp_path)
    purposes = set(AccessLog.objects.filter(action=AccessLog.Action.EXPORT).values_list("purpose", flat=True))
    assert purposes == {"story report md", "story report csv", "story report pdf"}


def test_a_new_kind_of_warning_needs_to_be_read_again(world, programme):
    policy, clients, _workers = programme
    report = new_report(world)
    services.select_voice(report, clients[0], by=world.erin, reason="Sterk.")
    services.acknowledge_flags(report, by=world.erin, note="Eerste ronde.")
    for v in policy:
        services.select_voice(report, v, by=world.erin, reason="Goed verwoord.")
    from maatwerk.insights.stories.reports import content

    assert content.build(report, world.erin).blocked  # policy now over-represented: not read yet


@pytest.fixture
def balanced(world, programme):
    """A report with two clients' and a worker's critical stories: no warnings (the project group, 9 % of
    the people heard, may be missing)."""
    _policy, clients, workers = programme
    report = new_report(world)
    for v, reason in (
        (clients[0], "De klant zegt het scherp."),
        (workers[0], "Herkenbaar."),
        (clients[1], "Ook."),
    ):
        services.select_voice(report, v, by=world.erin, reason=reason)
    return report, clients[0], workers[0]


def test_the_exports_hold_the_stories_the_indicator_and_the_figures_without_personal_data(
    world, balanced, client_for, tmp_path
):
    report, client_voice, worker_voice = balanced
    save([fact(world.team_a, status="closed", closed_n=1, duration_days=30 + i) for i in range(12)])
    c = client_for(world.erin)
    md = export(c, report, "md").content.decode()
    csv = export(c, report, "csv").content.decode("utf-8-sig")
    pdf = pdf_text(export(c, report, "pdf").content, tmp_path)
    for text in (md, csv, pdf):
        text = " ".join(text.split())  # the PDF's table cells wrap
        assert client_voice.shared_text in text
        assert "De klant zegt het scherp." in text
        assert "Stembalans" in text and "Verschillende stemmen" in text
        assert "Doorlooptijd van intake tot afsluiting" in text
        assert SECRET not in text and "Jansen" not in text
        # No user names: the creator by role only.
        for name in ("Erin", "erin", "Rita", "Dave"):
            # As a word: Dutch words hold the letters ("herinnering").
            assert not re.search(rf"\b{name}\b", text), name
    assert "beleid" in md
    # The indicator's rows: two of the three quotes are the clients', one the workers'.
    assert "| 2 | 67% |" in md and "| 1 | 33% |" in md
    assert "Gekozen verhalen" in csv and "Stembalans" in csv


def test_withdrawn_consent_takes_the_story_out_of_the_page_and_every_export_at_once(
    world, balanced, client_for, tmp_path
):
    report, client_voice, worker_voice = balanced
    said = client_voice.shared_text
    c = client_for(world.erin)
    assert said in export(c, report, "md").content.decode()
    withdraw_consent(client_voice, by=world.dave)
    page = c.get(reverse("stories:report", kwargs={"pk": report.pk}))
    assert said not in page.content.decode() and worker_voice.shared_text in page.content.decode()
    # The selection row stays (the voice is referenced, not copied), but nothing of it is shown.
    assert StorySelection.objects.filter(report=report, voice=client_voice).exists()
    for fmt in ("md", "csv"):
        body = export(c, report, fmt).content.decode("utf-8-sig")
        assert said not in body and "De klant zegt het scherp." not in body
        assert worker_voice.shared_text in body
    assert said not in pdf_text(export(c, report, "pdf").content, tmp_path)


def test_a_quote_that_looks_like_a_formula_is_escaped_in_the_csv(world, programme, client_for):
    _policy, clients, workers = programme
    formula = voice(world, RespondentGroup.CLIENT, shared='=HYPERLINK("http://x")', team=world.team_a)
    report = new_report(world)
    for v in (formula, workers[0]):
        services.select_voice(report, v, by=world.erin, reason="+1 voor deze")
    csv = export(client_for(world.erin), report, "csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "'+1 voor deze" in csv


def test_an_export_is_logged_without_the_title_or_any_text(world, balanced, client_for):
    report, _c, _w = balanced
    export(client_for(world.erin), report, "md")
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (log.purpose, log.object_type, log.object_id) == (
        "story report md",
        "insights.storyreport",
        str(report.pk),
    )
    assert report.title not in log.purpose + log.path


def test_an_unknown_format_is_404(world, balanced, client_for):
    report, _c, _w = balanced
    assert export(client_for(world.erin), report, "docx").status_code == 404


def test_the_report_holds_the_workers_learning_points_by_theme(world, balanced, client_for):
    report, _c, _w = balanced
    werkdruk, _new = Theme.objects.get_or_create(name="werkdruk")
    # Ten workers: a theme of fewer is hidden from policy (the stories page's own rule).
    for _ in range(10):
        voice(
            world,
            RespondentGroup.WORKER,
            "mixed",
            team=world.team_a,
            kind=Voice.Kind.LEARNING_POINT,
            theme=werkdruk,
            shared="Maatwerk kost meer tijd dan we dachten.",
        )
    md = export(client_for(world.erin), report, "md").content.decode()
    section = md[md.index("Leerpunten voor professionals") : md.index("Kerncijfers")]
    assert "Wat professionals leerden" in section and "werkdruk" in section
    assert "Maatwerk kost meer tijd dan we dachten." in section


def test_the_select_control_offers_the_users_reports_and_carries_the_stories_filters(world, programme):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    report = new_report(world)
    request = RequestFactory().get("/verhalen/?period_from=2026-03&tone=critical")
    request.user = world.erin
    html = render_to_string("insights/stories/_select.html", {"voice": programme[1][0]}, request=request)
    assert f'<option value="{report.pk}"' in html and report.title in html
    assert 'name="new-period_from" value="2026-03"' in html
    assert "new-tone" not in html  # group, tone and theme are not a report's scope
    assert 'name="next" value="/verhalen/?period_from=2026-03&amp;tone=critical"' in html
    assert f'name="voice" value="{programme[1][0].pk}"' in html
