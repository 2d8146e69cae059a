"""The business case on the case page (the hub): the latest version's figures and the versions saved.

Registered from BusinessCasesConfig.ready(); reads through `queries.versions_for` (the case's team only)
and logs the read of the version shown.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maatwerk.accounts.audit import log_access, log_reads
from maatwerk.accounts.models import AccessLog
from maatwerk.cases.hub import Event, Panel, register_panel, register_timeline

from . import queries
from .presentation import summary, version_problem

KINDS = {"businesscase": gettext_lazy("business case")}


def _versions(case, user):
    return queries.versions_for(user).filter(business_case__case=case).order_by("-number")


def business_case_panel(case, user) -> Panel:
    version = _versions(case, user).first()
    problem = version_problem(version) if version is not None else None
    if version is not None:
        log_access(
            user,
            version,
            action=AccessLog.Action.READ,
            purpose="case hub: business case",
            household_id=case.household_id,
            municipality_id=case.municipality_id,
        )
    return Panel(
        template="businesscases/hub/panel.html",
        context={
            "version": version,
            "problem": problem,
            "s": summary(version.result) if version is not None and problem is None else None,
            "editor_url": reverse("businesscases:editor", args=[case.pk]),
            "version_url": (
                reverse("businesscases:version", args=[case.pk, version.number]) if version else ""
            ),
        },
        order=10,
    )


def business_case_events(case, user, *, kinds, limit: int) -> list[Event]:
    versions = list(_versions(case, user)[:limit])
    events = [
        Event(
            when=v.created_at,
            kind="businesscase",
            title=_("Business case version %(n)d saved") % {"n": v.number},
            text=v.note,
            url=reverse("businesscases:version", args=[case.pk, v.number]),
            actor=(v.created_by.get_full_name() or v.created_by.username),
        )
        for v in versions
    ]
    if versions:
        # The figures of every version listed are the household's data: one read row each.
        log_reads(user, versions, purpose="case hub: timeline", household_of=lambda _v: case.household_id)
    return events


def register() -> None:
    register_panel(business_case_panel)
    register_timeline(business_case_events, kinds=KINDS)
