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
