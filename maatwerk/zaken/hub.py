"""The case's registration in Open Zaak on the case page (the hub): state, zaak identification, the last
error in Dutch, and a retry button for the case's team. Registered from ZakenConfig.ready()."""

from django.urls import reverse

from maatwerk.accounts import tenancy
from maatwerk.cases.hub import Panel, register_panel

from . import services
from .models import CaseRegistration, State


def zaak_panel(case, user) -> Panel | None:
    # The case page has checked that `user` may see the case (and logged the read); the registration holds
    # no personal data, only URLs and the state.
    reg = CaseRegistration.objects.filter(case=case).first()
    if reg is None:
        return None
    return Panel(
        template="zaken/hub/panel.html",
        context={
            "reg": reg,
            "done": reg.state == State.DONE,
            "failed": reg.state == State.FAILED,
            "error": services.error_text(reg),
            "may_retry": services.may_retry(reg) and case.team_id in tenancy.team_ids(user),
            "retry_url": reverse("zaken:retry", args=[case.pk]),
        },
        order=40,
    )


def register() -> None:
    register_panel(zaak_panel)
