"""The household's spend requests on the case page (the hub): a panel with who acts next, and the
timeline events (requested, legality check, decided, paid).

Registered from BudgetsConfig.ready(); reads only through `queries.visible_spends` and logs every spend
shown with `queries.log_spends` (purposes, payees and IBANs are the household's data).
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from maatwerk.cases.hub import Event, Panel, register_panel, register_timeline
from maatwerk.lib.money import format_eur

from . import rules
from .models import LegalityCheck, SpendStatus
from .queries import log_spends, visible_spends
from .services import user_label

KINDS = {"spend": gettext_lazy("spend requests")}
# A household has a handful of requests; the cap keeps the page bounded if one ever has hundreds.
PANEL_LIMIT = 50


def _case_spends(case, user):
    return visible_spends(user).filter(case=case)


def spends_panel(case, user) -> Panel:
    spends = list(
        _case_spends(case, user)
        .prefetch_related(Prefetch("legality_checks", queryset=LegalityCheck.objects.order_by("-checked_at")))
        .order_by("-requested_at", "-id")[: PANEL_LIMIT + 1]
    )
    more = len(spends) > PANEL_LIMIT
    spends = spends[:PANEL_LIMIT]
    log_spends(user, spends, purpose="case hub: spend requests")
    rows = [
        {
            "spend": s,
            "next_step": rules.next_step(s),
            "url": reverse("budgets:spend", args=[s.pk]),
        }
        for s in spends
    ]
    return Panel(
        template="budgets/hub/panel.html",
        context={"rows": rows, "more": more, "new_url": reverse("budgets:spend_new", args=[case.pk])},
        order=60,  # a wide panel (four columns): after the cards, see case_detail.html
    )


def spend_events(case, user, *, kinds, limit: int) -> list[Event]:
    """The newest `limit` of each: requests, decisions, payments and legality checks (four SELECTs)."""
    spends = _case_spends(case, user)
    events, shown = [], {}

    def url(spend):
        shown[spend.pk] = spend
        return reverse("budgets:spend", args=[spend.pk])

    def what(spend):
        return _("%(ref)s: %(amount)s for %(purpose)s") % {
            "ref": spend.reference,
            "amount": format_eur(spend.amount, get_language() or "nl"),
            "purpose": spend.purpose,
        }

    # (the spends, the moment field, the title, who acted): one event per spend and step.
    steps = [
        (spends, "requested_at", _("Spend requested"), "requested_by"),
        (
            spends.filter(decided_at__isnull=False, status__in=[SpendStatus.APPROVED, SpendStatus.PAID]),
            "decided_at",
            _("Spend approved"),
            "decided_by",
        ),
        (
            spends.filter(decided_at__isnull=False, status=SpendStatus.REJECTED),
            "decided_at",
            _("Spend rejected"),
            "decided_by",
        ),
        (
            spends.filter(paid_at__isnull=False).select_related("paid_by"),
            "paid_at",
            _("Spend paid"),
            "paid_by",
        ),
    ]
    for queryset, moment, title, actor in steps:
        for s in queryset.order_by(f"-{moment}", "-id")[:limit]:
            events.append(
                Event(
                    when=getattr(s, moment),
                    kind="spend",
                    title=title,
                    text=what(s),
                    url=url(s),
                    actor=user_label(getattr(s, actor)),
                )
            )
    checks = (
        LegalityCheck.objects.filter(spend__in=spends)
        .select_related("spend", "checked_by")
        .order_by("-checked_at", "-id")[:limit]
    )
    for c in checks:
        events.append(
            Event(
                when=c.checked_at,
                kind="spend",
                title=_("Legality check: %(verdict)s") % {"verdict": c.get_verdict_display()},
                text=c.spend.reference,
                url=url(c.spend),
                actor=user_label(c.checked_by),
            )
        )
    log_spends(user, shown.values(), purpose="case hub: timeline")
    return events


def register() -> None:
    register_panel(spends_panel)
    register_timeline(spend_events, kinds=KINDS)
