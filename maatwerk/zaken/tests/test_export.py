"""The export to Open Zaak against the stand-in, which validates every request with the VNG documents."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from zgw_consumers.models import Service

from maatwerk.budgets.tests import factories as bf
from maatwerk.cases import services as case_services
from maatwerk.cases.models import Status
from maatwerk.cases.tests.factories import case_in, household_case
from maatwerk.zaken import services
from maatwerk.zaken.models import CaseRegistration, State

from .conftest import RSIN, STATUSTYPE

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.4 stand-in plan"
REAL_PLAN_PDF = services.plan_pdf


@pytest.fixture(autouse=True)
def _quick_pdf(monkeypatch):
    # WeasyPrint takes seconds per plan; test_real_support_plan_pdf_is_sent renders one for real.
    monkeypatch.setattr(services, "plan_pdf", lambda case: FAKE_PDF)


def closed_case_with_decisions(world, capture):
    """Alice's case walked to execution, one spend approved and one rejected, then closed."""
    bf.standard_mandates(world.eindhoven)
    bf.make_budget(world)
    with capture(execute=True):
        case = case_in(world, Status.EXECUTION)
    with capture(execute=True):
        approved = bf.request(world.alice, case, "100.00")
        from maatwerk.budgets import services as budget_services

        budget_services.approve_spend(approved, by=world.dave)
        rejected = bf.request(world.alice, case, "120.00")
        budget_services.reject_spend(rejected, by=world.dave, reason="Past niet in het plan")
    with capture(execute=True):
        case = case_services.close_case(
            case,
            by=world.alice,
            outcome={"goal_reached": "yes"},
            feedback={},
            reflection={"tone": "positive"},
        )
    return case


def test_closed_case_is_registered_with_statuses_result_besluiten_and_plan(
    world, zaak_config, standin, django_capture_on_commit_callbacks
):
    case = closed_case_with_decisions(world, django_capture_on_commit_callbacks)
    reg = CaseRegistration.objects.get(case=case)
    assert reg.state == State.DONE, reg.error
    [zaak] = standin.objects("zaken")
    assert zaak["identificatie"] == f"MW-{case.pk}"
    assert zaak["bronorganisatie"] == zaak["verantwoordelijkeOrganisatie"] == RSIN
    assert zaak["vertrouwelijkheidaanduiding"] == "zeer_geheim"
    assert zaak["einddatum"] is not None  # set by the Zaken API at the eindstatus
    statussen = standin.objects("statussen")
    assert [s["statustype"] for s in statussen] == [
        STATUSTYPE[s] for s in ("analysis", "plan", "execution", "closed")
    ]
    assert zaak["status"] == statussen[-1]["url"]
    assert len(standin.objects("resultaten")) == 1
    besluiten = standin.objects("besluiten")
    assert [b["toelichting"] for b in besluiten] == [
        "Maatwerkbesteding toegekend: EUR 100.00",
        "Maatwerkbesteding afgewezen: EUR 120.00",
    ]
    assert all(b["zaak"] == zaak["url"] and b["verantwoordelijkeOrganisatie"] == RSIN for b in besluiten)
    assert len(standin.zaakbesluiten) == 2
    assert len(standin.objects("enkelvoudiginformatieobjecten")) == 1
    assert len(standin.objects("zaakinformatieobjecten")) == 1


class Crash(BaseException):
    """A worker killed at this point: not an Exception, so nothing of ours catches it (the task backend
    records the task as failed) and the registration stays RUNNING, as a dead worker leaves it."""


# Each remote create, by the name services._after_remote is called with, and the collection it posts to.
STEPS = {
    "zaak": "zaken",
    "document": "enkelvoudiginformatieobjecten",
    "zaakinformatieobject": "zaakinformatieobjecten",
    "besluit": "besluiten",
    "resultaat": "resultaten",
    "status": "statussen",
}


def closed_case_not_yet_sent(world, zaak_config, capture):
    """Everything happened while the export was off; then the municipality switches it on."""
    zaak_config.enabled = False
    zaak_config.save()
    case = closed_case_with_decisions(world, capture)
    zaak_config.enabled = True
    zaak_config.save()
    return case


def assert_exactly_one_of_everything(standin, case):
    assert len(standin.objects("zaken")) == 1
    assert len(standin.objects("statussen")) == case.status_changes.count() == 4
    assert len(standin.objects("resultaten")) == 1
    assert len(standin.objects("besluiten")) == 2  # one per decision: approved and rejected
    assert len(standin.zaakbesluiten) == 2
    assert len(standin.objects("enkelvoudiginformatieobjecten")) == 1
    assert len(standin.objects("zaakinformatieobjecten")) == 1
    reg = CaseRegistration.objects.get(case=case)
    assert reg.state == State.DONE, reg.error
    assert len(reg.status_urls) == 4
    assert reg.besluiten.exclude(besluit_url="").count() == 2


def crash_once_at(monkeypatch, step: str, exc):
    calls = []

    def after_remote(name):
        if name == step and not calls:
            calls.append(name)
            raise exc

    monkeypatch.setattr(services, "_after_remote", after_remote)
    return calls


@pytest.mark.parametrize("step", STEPS)
def test_killed_worker_after_each_remote_create_then_retry_leaves_one_of_everything(
    step, world, zaak_config, standin, monkeypatch, django_capture_on_commit_callbacks
):
    case = closed_case_not_yet_sent(world, zaak_config, django_capture_on_commit_callbacks)
    calls = crash_once_at(monkeypatch, step, Crash())
    with django_capture_on_commit_callbacks(execute=True):
        services.request_sync(case.pk)
    assert calls == [step], CaseRegistration.objects.get(case=case).error
    reg = CaseRegistration.objects.get(case=case)
    assert reg.state == State.RUNNING  # what a dead worker leaves behind
    assert len(standin.objects(STEPS[step])) >= 1  # the remote side did commit
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_all(stale_after=datetime.timedelta(0)) == [case.pk]
    assert_exactly_one_of_everything(standin, case)
    assert CaseRegistration.objects.get(case=case).attempts == 2


@pytest.mark.parametrize("step", STEPS)
def test_error_after_each_remote_create_fails_in_dutch_and_retry_leaves_one_of_everything(
    step, world, zaak_config, standin, monkeypatch, django_capture_on_commit_callbacks
):
    case = closed_case_not_yet_sent(world, zaak_config, django_capture_on_commit_callbacks)
    crash_once_at(monkeypatch, step, RuntimeError("database went away"))
    with django_capture_on_commit_callbacks(execute=True):
        services.request_sync(case.pk)
    reg = CaseRegistration.objects.get(case=case)
    assert reg.state == State.FAILED
    assert "database went away" not in services.error_text(reg)  # internals stay in the log
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(case, by=world.alice)
    assert_exactly_one_of_everything(standin, case)


@pytest.mark.parametrize("step", STEPS)
def test_timeout_after_the_remote_side_committed_then_retry_leaves_one_of_everything(
    step, world, zaak_config, standin, django_capture_on_commit_callbacks
):
    case = closed_case_not_yet_sent(world, zaak_config, django_capture_on_commit_callbacks)
    Service.objects.update(timeout=2)
    standin.delay = 2.5
    standin.fail_next("POST", STEPS[step], "timeout")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_sync(case.pk)
    reg = CaseRegistration.objects.get(case=case)
    assert reg.state == State.FAILED
    assert "niet op tijd" in reg.error
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(case, by=world.alice)
    assert_exactly_one_of_everything(standin, case)


def test_each_status_change_is_sent_as_it_happens(
    world, zaak_config, standin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = household_case(world)
    assert standin.objects("zaken") == []  # nothing to send before the first status change
    with django_capture_on_commit_callbacks(execute=True):
        case = case_services.move_case(case, by=world.alice, to=Status.ANALYSIS)
    assert len(standin.objects("zaken")) == 1
    assert [s["statustype"] for s in standin.objects("statussen")] == [STATUSTYPE["analysis"]]
    with django_capture_on_commit_callbacks(execute=True):
        case = case_services.move_case(case, by=world.alice, to=Status.PLAN)
        case = case_services.move_case(case, by=world.alice, to=Status.ANALYSIS, reason="Plan klopt niet")
    assert len(standin.objects("zaken")) == 1
    assert [s["statustype"] for s in standin.objects("statussen")] == [
        STATUSTYPE["analysis"],
        STATUSTYPE["plan"],
        STATUSTYPE["analysis"],
    ]
    assert standin.objects("resultaten") == []  # only at closing


def test_zaak_holds_no_personal_data(world, zaak_config, standin, django_capture_on_commit_callbacks):
    case = closed_case_with_decisions(world, django_capture_on_commit_callbacks)
    sent = json.dumps(
        [
            standin.objects(c)
            for c in ("zaken", "statussen", "resultaten", "besluiten", "zaakinformatieobjecten")
        ]
    )
    for personal in (
        "Jansen",
        "Sanne",
        "111222333",
        "Toeslagen",
        "Energie BV",
        bf.IBAN,
        "Past niet in het plan",
    ):
        assert personal not in sent
    assert case.vastloper not in sent


def test_export_is_off_by_default_and_sends_nothing(world, standin, django_capture_on_commit_callbacks):
    case = closed_case_with_decisions(world, django_capture_on_commit_callbacks)
    assert standin.requests == []
    assert not CaseRegistration.objects.filter(case=case).exists()


def test_switched_off_configuration_sends_nothing(
    world, zaak_config, standin, django_capture_on_commit_callbacks
):
    zaak_config.enabled = False
    zaak_config.save()
    closed_case_with_decisions(world, django_capture_on_commit_callbacks)
    assert standin.requests == []


def test_other_municipality_is_not_sent(world, zaak_config, standin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case_in(world, Status.PLAN, by=world.carol, team=world.team_c)
    assert standin.requests == []


def test_wrong_secret_fails_with_a_dutch_error(
    world, zaak_config, standin, django_capture_on_commit_callbacks
):
    zaak_config.zaken_service.secret = "not-the-secret-of-this-open-zaak-at-all"  # noqa: S105
    zaak_config.zaken_service.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_in(world, Status.ANALYSIS)
    reg = CaseRegistration.objects.get()
    assert reg.state == State.FAILED
    assert "inloggegevens" in reg.error
    assert standin.objects("zaken") == []
    assert standin.problems and all("bad JWT" in p for p in standin.problems)
    standin.problems.clear()  # seen: the stand-in refused it, as it should


def test_run_while_another_worker_holds_the_registration_does_nothing(
    world, zaak_config, standin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in(world, Status.ANALYSIS)
    requests_before = len(standin.requests)
    CaseRegistration.objects.filter(case=case).update(state=State.RUNNING, heartbeat_at=timezone.now())
    assert services.run(case.pk) == "skipped"
    # A change meanwhile asks the running worker for one more round instead of starting a second one.
    with django_capture_on_commit_callbacks(execute=True):
        case_services.move_case(case, by=world.alice, to=Status.PLAN)
    assert CaseRegistration.objects.get(case=case).rerun is True
    assert len(standin.requests) == requests_before


def test_management_command_retries_failed_registrations(
    world, zaak_config, standin, django_capture_on_commit_callbacks
):
    standin.fail_next("POST", "zaken", "error")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in(world, Status.ANALYSIS)
    assert CaseRegistration.objects.get(case=case).state == State.FAILED
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("zaken_retry", stdout=out)
    assert "1" in out.getvalue()
    assert CaseRegistration.objects.get(case=case).state == State.DONE
    assert len(standin.objects("zaken")) == 1


def test_real_support_plan_pdf_is_sent_as_informatieobject(
    world, zaak_config, standin, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "plan_pdf", REAL_PLAN_PDF)
    case = closed_case_with_decisions(world, django_capture_on_commit_callbacks)
    [document] = standin.objects("enkelvoudiginformatieobjecten")
    assert standin.contents[document["url"]].startswith(b"%PDF")
    assert document["vertrouwelijkheidaanduiding"] == "zeer_geheim"
    assert document["identificatie"] == f"MW-{case.pk}-plan"
    [link] = standin.objects("zaakinformatieobjecten")
    assert link["informatieobject"] == document["url"]


def test_without_informatieobjecttype_no_document_is_sent(
    world, zaak_config, standin, django_capture_on_commit_callbacks
):
    zaak_config.informatieobjecttype = ""
    zaak_config.save()
    closed_case_with_decisions(world, django_capture_on_commit_callbacks)
    assert standin.objects("enkelvoudiginformatieobjecten") == []
    assert standin.objects("zaakinformatieobjecten") == []
    assert len(standin.objects("zaken")) == 1
