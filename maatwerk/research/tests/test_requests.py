"""Asking, deciding, retrying, expiring and downloading, through the services."""

import datetime
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from maatwerk.accounts.models import AccessLog
from maatwerk.research import services
from maatwerk.research.models import RequestPart, ResearchExport, ResearchRequest

from .factories import approved, ask, stub_build

State = ResearchExport.State


def test_researcher_request_has_a_pending_part_per_municipality_and_is_logged_with_its_purpose(world):
    request = ask(world, municipalities=[world.eindhoven.pk, world.utrecht.pk])
    assert sorted(p.municipality.name for p in request.parts.all()) == ["Eindhoven", "Utrecht"]
    assert set(request.parts.values_list("state", flat=True)) == {RequestPart.State.PENDING}
    assert request.period_from == datetime.date(2024, 1, 1)
    assert request.period_to == datetime.date(2024, 12, 1)
    log = AccessLog.objects.get(object_type="research.researchrequest", action=AccessLog.Action.CREATE)
    assert log.user == world.rita
    assert "Evaluatie van maatwerk" in log.purpose


@pytest.mark.parametrize("who", ["alice", "erin", "pat", "adam", "dave"])
def test_only_a_researcher_may_ask(world, who):
    with pytest.raises(PermissionDenied):
        ask(world, by=getattr(world, who))


def test_bad_request_names_every_field_and_saves_nothing(world):
    with pytest.raises(ValidationError) as exc:
        ask(
            world,
            purpose="",
            question="Bel Jan Jansen op 06-12345678",
            period_from="2024-06",
            period_to="2024-01",
            municipalities=[],
            variable_groups=["bsn"],
        )
    errors = exc.value.message_dict
    assert set(errors) == {"purpose", "question", "period_to", "municipalities", "variable_groups"}
    assert "telefoonnummer" in errors["question"][0] or "phone" in errors["question"][0]
    assert not ResearchRequest.objects.exists()


def test_month_that_is_not_a_month_gets_a_field_error(world):
    with pytest.raises(ValidationError) as exc:
        ask(world, period_from="maart", period_to="2099-01")
    assert set(exc.value.message_dict) == {"period_from", "period_to"}


def test_unknown_municipality_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        ask(world, municipalities=[world.eindhoven.pk, 999999])
    assert set(exc.value.message_dict) == {"municipalities"}


def test_policy_of_another_municipality_cannot_decide(world):
    request = ask(world, municipalities=[world.utrecht.pk])
    with pytest.raises(PermissionDenied):
        services.decide_part(by=world.erin, part=request.parts.get(), approve=True, reason="Prima")


def test_decision_needs_a_reason_and_is_taken_once(world):
    request = ask(world)
    part = request.parts.get()
    with pytest.raises(ValidationError) as exc:
        services.decide_part(by=world.erin, part=part, approve=True, reason="  ")
    assert set(exc.value.message_dict) == {"reason"}
    services.decide_part(by=world.erin, part=part, approve=False, reason="Doel te breed")
    with pytest.raises(ValidationError):
        services.decide_part(by=world.erin, part=part, approve=True, reason="Toch wel")
    part.refresh_from_db()
    assert part.state == RequestPart.State.REJECTED and part.decided_by == world.erin
    assert AccessLog.objects.filter(object_type="research.requestpart", user=world.erin).count() == 1


def test_export_waits_until_every_part_is_decided(world, django_user_model):
    from conftest import make_user

    uma = make_user("uma", "policy", municipality=world.utrecht)
    request = ask(world, municipalities=[world.eindhoven.pk, world.utrecht.pk])
    services.decide_part(
        by=world.erin, part=request.parts.get(municipality=world.eindhoven), approve=True, reason="Ja"
    )
    assert not ResearchExport.objects.exists()
    services.decide_part(
        by=uma, part=request.parts.get(municipality=world.utrecht), approve=False, reason="Nee"
    )
    export = ResearchExport.objects.get(request=request)
    assert export.state == State.DONE
    assert len(bytes(export.key)) == 32
    assert export.expires_at > timezone.now() + datetime.timedelta(days=29)


def test_all_parts_rejected_makes_no_export(world):
    request = ask(world)
    services.decide_part(by=world.erin, part=request.parts.get(), approve=False, reason="Nee")
    assert not ResearchExport.objects.exists()


def test_every_approved_request_gets_its_own_key(world):
    first, second = approved(world), approved(world)
    assert bytes(first.export.key) != bytes(second.export.key)


def test_done_export_records_file_size_and_hash(world, settings):
    export = approved(world).export
    path = Path(settings.RESEARCH_EXPORT_DIR) / export.file_name
    assert zipfile.is_zipfile(path)
    assert "manifest.json" in zipfile.ZipFile(path).namelist()
    assert export.size_bytes == path.stat().st_size and len(export.sha256) == 64


def test_own_researcher_downloads_and_the_download_is_logged_as_export(world):
    export = approved(world).export
    path = services.download(by=world.rita, export=export)
    assert zipfile.is_zipfile(path)
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert log.user == world.rita and "Evaluatie van maatwerk" in log.purpose


def test_nobody_else_downloads(world):
    from conftest import make_user

    other = make_user("roos", "researcher", municipality=world.eindhoven)
    export = approved(world).export
    for user in (other, world.erin, world.adam, world.pat):
        with pytest.raises(PermissionDenied):
            services.download(by=user, export=export)


def test_unfinished_export_cannot_be_downloaded(world):
    export = approved(world).export
    ResearchExport.objects.filter(pk=export.pk).update(state=State.RUNNING)
    export.refresh_from_db()
    with pytest.raises(ValidationError):
        services.download(by=world.rita, export=export)
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_export_past_its_date_cannot_be_downloaded_even_before_expiry_ran(world):
    export = approved(world).export
    ResearchExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    export.refresh_from_db()
    assert export.state == State.DONE
    with pytest.raises(ValidationError):
        services.download(by=world.rita, export=export)


def test_expiry_deletes_the_file_and_wipes_the_key(world, settings):
    export = approved(world).export
    folder = Path(settings.RESEARCH_EXPORT_DIR) / str(export.pk)
    assert folder.exists()
    assert services.expire_due(timezone.now() + datetime.timedelta(days=29)) == []
    assert services.expire_due(timezone.now() + datetime.timedelta(days=31)) == [export.pk]
    export.refresh_from_db()
    assert export.state == State.EXPIRED and bytes(export.key) == b"" and export.file_name == ""
    assert not folder.exists()
    assert services.expire_due(timezone.now() + datetime.timedelta(days=31)) == []


def test_failed_export_says_why_and_can_be_retried_by_researcher_or_policy(world, monkeypatch):
    from maatwerk.research import export as engine

    def broken(export, *, out_dir, progress):
        raise engine.ExportError("Te weinig huishoudens voor k = 10.")

    monkeypatch.setattr(engine, "build", broken)
    export = approved(world).export
    assert export.state == State.FAILED and export.error_display == "Te weinig huishoudens voor k = 10."
    export = services.retry_export(by=world.erin, export=export)
    assert export.state == State.FAILED and export.attempt == 2
    monkeypatch.setattr(engine, "build", stub_build)
    export = services.retry_export(by=world.rita, export=export)
    assert export.state == State.DONE and export.attempt == 3 and export.error == ""


def test_unexpected_error_shows_no_traceback(world, monkeypatch):
    from maatwerk.research import export as engine

    def broken(export, *, out_dir, progress):
        raise RuntimeError("Jan Jansen, Dorpsstraat 1")

    monkeypatch.setattr(engine, "build", broken)
    export = approved(world).export
    assert export.state == State.FAILED and export.error == ResearchExport.INTERNAL_ERROR
    assert "Jansen" not in export.error_display


def test_only_a_failed_export_is_retried_and_not_by_others(world):
    export = approved(world).export
    with pytest.raises(ValidationError):
        services.retry_export(by=world.rita, export=export)
    with pytest.raises(PermissionDenied):
        services.retry_export(by=world.pat, export=export)


def test_researcher_sees_only_own_requests_and_policy_those_of_their_municipality(world):
    from conftest import make_user

    other = make_user("roos", "researcher", municipality=world.eindhoven)
    mine = ask(world)
    theirs = ask(world, by=other, municipalities=[world.utrecht.pk])
    assert list(services.visible_requests(world.rita)) == [mine]
    assert list(services.visible_requests(other)) == [theirs]
    assert list(services.visible_requests(world.erin)) == [mine]
    for user in (world.alice, world.pat, world.adam, world.lars):
        assert not services.visible_requests(user).exists()


def test_policy_officer_finds_the_parts_waiting_for_a_decision_first(world):
    decided, waiting, older_waiting = ask(world), ask(world), ask(world)
    services.decide_part(by=world.erin, part=decided.parts.get(), approve=False, reason="Nee")
    ResearchRequest.objects.filter(pk=older_waiting.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    order = [p.request_id for p in services.parts_to_decide(world.erin)]
    assert order == [waiting.pk, older_waiting.pk, decided.pk]
