"""`maatwerk export-research`, `expire-research` and `recover-research`."""

import datetime
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from maatwerk.accounts.models import AccessLog
from maatwerk.research import services
from maatwerk.research.models import ResearchExport

from .factories import approved, ask


def test_export_research_writes_the_zip_to_the_directory_and_prints_its_path(world, tmp_path, capsys):
    request = approved(world)
    call_command("export_research", "--request", str(request.pk), "--out", str(tmp_path / "out"))
    path = Path(capsys.readouterr().out.strip())
    assert path.parent == tmp_path / "out" and zipfile.is_zipfile(path)
    assert "manifest.json" in zipfile.ZipFile(path).namelist()
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert log.user is None and log.purpose.startswith("export-research command")
    # The export on the page is left as it was.
    assert ResearchExport.objects.get().state == ResearchExport.State.DONE


def test_export_research_logs_the_named_user(world, tmp_path):
    request = approved(world)
    call_command("export_research", "--request", str(request.pk), "--out", str(tmp_path), "--by", "rita")
    assert AccessLog.objects.get(action=AccessLog.Action.EXPORT).user == world.rita


def test_export_research_refuses_a_request_without_an_approved_part(world, tmp_path):
    pending = ask(world, municipalities=[world.eindhoven.pk, world.utrecht.pk])
    with pytest.raises(CommandError, match="geen goedgekeurd deel|no approved part"):
        call_command("export_research", "--request", str(pending.pk), "--out", str(tmp_path))
    # Eindhoven approves; Utrecht has not decided yet, so there is no export (and no key) yet.
    services.decide_part(
        by=world.erin, part=pending.parts.get(municipality=world.eindhoven), approve=True, reason="Ja"
    )
    with pytest.raises(CommandError, match="wacht nog|still waits"):
        call_command("export_research", "--request", str(pending.pk), "--out", str(tmp_path))
    assert not list(tmp_path.iterdir())


def test_export_research_refuses_an_expired_export(world, tmp_path):
    request = approved(world)
    services.expire_due(timezone.now() + datetime.timedelta(days=31))
    with pytest.raises(CommandError, match="verlopen|expired"):
        call_command("export_research", "--request", str(request.pk), "--out", str(tmp_path))


def test_export_research_refuses_an_unknown_request_or_user(world, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_research", "--request", "999", "--out", str(tmp_path))
    request = approved(world)
    with pytest.raises(CommandError):
        call_command(
            "export_research", "--request", str(request.pk), "--out", str(tmp_path), "--by", "nobody"
        )


def test_expire_research_command_expires_what_is_due(world):
    export = approved(world).export
    ResearchExport.objects.filter(pk=export.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    call_command("expire_research", verbosity=0)
    export.refresh_from_db()
    assert export.state == ResearchExport.State.EXPIRED
