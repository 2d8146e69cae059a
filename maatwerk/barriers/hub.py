"""The barriers that hurt this household, on the case page (the hub): a panel with each barrier's
escalation level, and the timeline events (linked, escalated, answered, closed).

Registered from BarriersConfig.ready(). A barrier describes a rule, not a household; its link to this
case is the household's data, so links are read scoped to the case's team (as `queries.own_links`) within
the user's register (`queries.visible_barriers`), and each link shown is logged.
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_reads
from maatwerk.cases.hub import Event, Panel, register_panel, register_timeline

from .models import CaseLink, Escalation
from .queries import visible_barriers

KINDS = {"barrier": gettext_lazy("barriers")}
PANEL_LIMIT = 50


def _label(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _links(case, user):
    links = CaseLink.objects.filter(case=case, barrier__in=visible_barriers(user).values("pk"))
    return tenancy.scope(links, user, team_field="case__team", municipality_field=None).select_related(
        "barrier", "linked_by"
    )


def _log(user, case, links, purpose: str) -> None:
    log_reads(user, links, purpose=purpose, household_of=lambda _link: case.household_id)


def barriers_panel(case, user) -> Panel:
    escalations = Prefetch("barrier__escalations", queryset=Escalation.objects.order_by("escalated_at", "id"))
    links = list(
        _links(case, user).prefetch_related(escalations).order_by("-linked_at", "-id")[: PANEL_LIMIT + 1]
    )
    more = len(links) > PANEL_LIMIT
    links = links[:PANEL_LIMIT]
    _log(user, case, links, "case hub: barriers")
    rows = []
    for link in links:
        steps = list(link.barrier.escalations.all())
        latest = steps[-1] if steps else None
        rows.append(
            {
                "barrier": link.barrier,
                "level": latest.get_level_display() if latest else _("not escalated"),
                "overdue": latest is not None and latest.is_overdue(),
                "url": reverse("barriers:detail", args=[link.barrier_id]),
            }
        )
    return Panel(
        template="barriers/hub/panel.html",
        context={"rows": rows, "more": more, "new_url": reverse("barriers:new") + f"?case={case.pk}"},
        order=30,
    )


def barrier_events(case, user, *, kinds, limit: int) -> list[Event]:
    """Links, escalation steps, answers and closings of the case's barriers, the newest `limit` of each."""
    links = list(_links(case, user).order_by("-linked_at", "-id")[:limit])
    _log(user, case, links, "case hub: timeline")
    events = []
    for link in links:
        barrier = link.barrier
        url = reverse("barriers:detail", args=[barrier.pk])
        events.append(
            Event(
                when=link.linked_at,
                kind="barrier",
                title=_("Barrier linked: %(ref)s") % {"ref": barrier.reference},
                text=barrier.title,
                url=url,
                actor=_label(link.linked_by),
            )
        )
        if barrier.closed_at:
            events.append(
                Event(
                    when=barrier.closed_at,
                    kind="barrier",
                    title=_("Barrier closed: %(ref)s") % {"ref": barrier.reference},
                    text=f"{barrier.title} ({barrier.get_status_display()})",
                    url=url,
                )
            )
    barrier_ids = [link.barrier_id for link in links]
    steps = Escalation.objects.filter(barrier__in=barrier_ids).select_related(
        "barrier", "owner", "answered_by"
    )
    for step in steps.order_by("-escalated_at", "-id")[:limit]:
        events.append(
            Event(
                when=step.escalated_at,
                kind="barrier",
                title=_("Barrier escalated to %(level)s: %(ref)s")
                % {"level": step.get_level_display(), "ref": step.barrier.reference},
                text=step.to,
                url=reverse("barriers:detail", args=[step.barrier_id]),
                actor=_label(step.owner),
            )
        )
    answered = steps.filter(answered_at__isnull=False).order_by("-answered_at", "-id")[:limit]
    for step in answered:
        events.append(
            Event(
                when=step.answered_at,
                kind="barrier",
                title=_("Escalation answered: %(ref)s") % {"ref": step.barrier.reference},
                text=step.get_decision_display(),
                url=reverse("barriers:detail", args=[step.barrier_id]),
                actor=_label(step.answered_by),
            )
        )
    return events


def register() -> None:
    register_panel(barriers_panel)
    register_timeline(barrier_events, kinds=KINDS)
