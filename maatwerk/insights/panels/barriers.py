"""Barriers: the types that block most households, with the cost at stake and how far they were escalated,
and the escalations past their answer date. Counted by type, never by title (a title is free text)."""

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.accounts.models import Team
from maatwerk.barriers.models import LEVEL_ORDER, Barrier, BarrierType, CaseLink, Escalation

from .. import disclosure
from ..charts import Column, Figure, bar
from .common import Context


def _barriers(ctx: Context):
    qs = Barrier.objects.all()
    a = ctx.audience
    if a.municipality_ids is not None:
        qs = qs.filter(municipality_id__in=a.municipality_ids)
    if a.team_ids is not None:
        qs = qs.filter(municipality_id__in=Team.objects.filter(pk__in=a.team_ids).values("municipality_id"))
    if ctx.filters.municipality:
        qs = qs.filter(municipality_id=ctx.filters.municipality)
    return qs


def top_barriers(ctx: Context) -> Figure:
    barriers = _barriers(ctx)
    links = CaseLink.objects.filter(barrier__in=barriers, case_id__in=ctx.facts.values("case_id"))
    per_type = {
        r["barrier__type"]: r
        for r in links.values("barrier__type").annotate(
            households=Count("case_id", distinct=True), cost=Sum("cost_at_stake")
        )
    }
    counts = {r["type"]: r["n"] for r in barriers.values("type").annotate(n=Count("id"))}
    # The highest rung reached per type, in the ladder's order (not the alphabet's).
    order = {level.value: i for i, level in enumerate(LEVEL_ORDER)}
    levels: dict[str, str] = {}
    for row in Escalation.objects.filter(barrier__in=barriers).values("barrier__type", "level").distinct():
        kind, level = row["barrier__type"], row["level"]
        if order.get(level, -1) > order.get(levels.get(kind), -1):
            levels[kind] = level
    types = sorted(BarrierType, key=lambda t: -per_type.get(t.value, {}).get("households", 0))
    households = [per_type.get(t.value, {}).get("households", 0) for t in types]
    shown, _total, _hidden = disclosure.one_way(ctx.audience, [t.value for t in types], households)
    rows = []
    for t, h, n_shown in zip(types, households, shown, strict=True):
        if not counts.get(t.value):
            continue
        top = levels.get(t.value)
        rows.append(
            {
                "type": str(t.label),
                "barriers": counts.get(t.value, 0),
                "households": n_shown,
                "cost": ctx.value(h, per_type.get(t.value, {}).get("cost")),
                "level": str(LEVEL_ORDER[order[top]].label) if top in order else "",
            }
        )
    return Figure(
        slug="top_barriers",
        title=_("Top barriers"),
        columns=[
            Column("type", _("Type of barrier")),
            Column("barriers", _("Barriers"), "count"),
            Column("households", _("Households hurt"), "count"),
            Column("cost", _("Cost at stake"), "money"),
            Column("level", _("Escalated up to")),
        ],
        rows=rows,
        chart=bar("type", "households", x_title=_("Type"), y_title=_("Households"), horizontal=True),
        caption=_("Barriers registered by the teams, by type; households of the selection that they hurt."),
        notes=[_("Escalations past their answer date: %(n)s.") % {"n": overdue(ctx)}],
    )


def overdue(ctx: Context) -> int:
    today = timezone.localdate()
    return Escalation.objects.filter(
        barrier__in=_barriers(ctx), answered_at__isnull=True, due_date__lt=today
    ).count()
