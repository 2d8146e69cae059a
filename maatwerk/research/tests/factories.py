"""Requests in a given state, made through the services as a user would."""

import datetime

from maatwerk.research import services


def ask(world, **overrides):
    data = {
        "by": world.rita,
        "purpose": "Evaluatie van maatwerk in de wijkteams",
        "question": "Hoeveel kosten worden vermeden na een maatwerkoplossing?",
        "period_from": "2024-01",
        "period_to": "2024-12",
        "municipalities": [world.eindhoven.pk],
        "variable_groups": ["businesscase", "outcome"],
        "free_text": False,
    }
    data.update(overrides)
    return services.create_request(**data)


def approved(world, **overrides):
    """A request of Eindhoven only, approved by erin: its export is made and (ImmediateBackend) built."""
    request = ask(world, **overrides)
    services.decide_part(by=world.erin, part=request.parts.get(), approve=True, reason="Doel past bij beleid")
    request.refresh_from_db()
    return request


def ago(**kwargs):
    from django.utils import timezone

    return timezone.now() - datetime.timedelta(**kwargs)


def stub_build(export, *, out_dir, progress):
    """The engine's interface with a tiny zip (a manifest only), for the tests of the workflow around it:
    their worlds hold a handful of cases, fewer than the real engine's k = 10 lets leave (its own tests
    are test_export*.py)."""
    import zipfile
    from pathlib import Path

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"onderzoek-{export.request_id}.zip"
    partial = out_dir / f".{target.name}.part"
    progress("counting", 0, 1)
    with zipfile.ZipFile(partial, "w") as archive:
        archive.writestr("manifest.json", '{"stub": true}')
    progress("packing", 1, 1)
    partial.replace(target)
    return target
