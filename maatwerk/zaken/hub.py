"""The case's registration in Open Zaak on the case page (the hub): state, zaak identification, the last
error in Dutch, and a retry button for the case's team. Registered from ZakenConfig.ready()."""

from django.urls import reverse

from maatwerk.accounts import tenancy
from maatwerk.cases.hub import Panel, register_panel

from . import services
from .models import CaseRegistration, State

PANEL_TEMPLATE = "zaken/hub/panel.html"


def panel_context(case, user, reg: CaseRegistration) -> dict:
    """What the panel shows; also the context of its own polling answer (views.panel)."""
    done, failed = reg.state == State.DONE, reg.state == State.FAILED
    return {
        "reg": reg,
        "done": done,
        "failed": failed,
        # While waiting or running the panel asks again every 2 s, so the worker sees the outcome without
        # reloading; a finished answer has no trigger, which ends the polling.
        "polling": not done and not failed,
        "panel_url": reverse("zaken:panel", args=[case.pk]),
        "error": services.error_text(reg),
        "may_retry": services.may_retry(reg) and case.team_id in tenancy.team_ids(user),
        "retry_url": reverse("zaken:retry", args=[case.pk]),
    }


def zaak_panel(case, user) -> Panel | None:
    # The case page has checked that `user` may see the case (and logged the read); the registration holds
    # no personal data, only URLs and the state.
    reg = CaseRegistration.objects.filter(case=case).first()
    if reg is None:
        return None
    return Panel(template=PANEL_TEMPLATE, context=panel_context(case, user, reg), order=40)


def register() -> None:
    register_panel(zaak_panel)
