"""Workload: hours per case by activity, maatwerk cases against others, and for the team lead only the
open cases and hours per worker of their own team."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from maatwerk.cases.models import Status, TimeEntry

from ..charts import Column, Figure, bar
from .common import Context

ACTIVITIES = [(a, f"hours_{a.value}") for a in TimeEntry.Activity]
OPEN = [Status.INTAKE, Status.ANALYSIS, Status.PLAN, Status.EXECUTION]


def hours(ctx: Context) -> Figure:
    groups = {True: {"n": 0}, False: {"n": 0}}
    fields = ["hours"] + [f for _a, f in ACTIVITIES]
    for r in ctx.sums(fields, by=("kind",)):
        g = groups[bool(r["kind"])]
        g["n"] += int(r["n"])
        for f in fields:
            g[f] = g.get(f, Decimal(0)) + Decimal(r[f])
    rows = []
    total_n = groups[True]["n"] + groups[False]["n"]
    for activity, field in ACTIVITIES:
        amount = groups[True].get(field, 0) + groups[False].get(field, 0)
        rows.append(
            {
                "activity": str(activity.label),
                "hours": ctx.value(total_n, Decimal(amount)),
                "per_case": ctx.value(total_n, Decimal(amount) / total_n if total_n else None),
            }
        )
    for spent, label in ((True, _("Cases with a maatwerk spend")), (False, _("Other cases"))):
        g = groups[spent]
        n = g["n"]
        rows.append(
            {
                "activity": label,
                "n": ctx.count(n),
                "hours": ctx.value(n, g.get("hours", Decimal(0))),
                "per_case": ctx.value(n, g.get("hours", Decimal(0)) / n if n else None),
                "total": True,
            }
        )
    return Figure(
        slug="hours",
        title=_("Hours per case"),
        columns=[
            Column("activity", _("Activity")),
            Column("n", _("Cases"), "count"),
            Column("hours", _("Hours"), "number"),
            Column("per_case", _("Hours per case"), "number"),
        ],
        rows=rows,
        chart=bar(
            "activity", "per_case", x_title=_("Activity"), y_title=_("Hours per case"), horizontal=True
        ),
        caption=_(
            "Hours booked on the cases of the selection, by activity; the last rows compare maatwerk cases."
        ),
    )


def per_worker(ctx: Context) -> Figure | None:
    """Open cases and hours per worker: only for the team lead, of their own team (never a ranking for
    policy or programme)."""
    if not ctx.audience.sees_workers:
        return None
    facts = ctx.facts
    cases = {
        r["lead_worker_id"]: r
        for r in facts.values("lead_worker_id").annotate(
            open=Count("id", filter=Q(status__in=OPEN)), all=Count("id")
        )
    }
    entries = TimeEntry.objects.filter(case_id__in=facts.values("case_id"))
    hours = {r["worker_id"]: r["h"] for r in entries.values("worker_id").annotate(h=Sum("hours"))}
    ids = {i for i in set(cases) | set(hours) if i}
    users = get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name")
    rows = [
        {
            "worker": u.get_full_name() or u.username,
            "open": cases.get(u.pk, {}).get("open", 0),
            "all": cases.get(u.pk, {}).get("all", 0),
            "hours": hours.get(u.pk, Decimal(0)),
        }
        for u in users
    ]
    return Figure(
        slug="workers",
        title=_("Per worker (only you and the worker see this)"),
        columns=[
            Column("worker", _("Worker")),
            Column("open", _("Open cases"), "count"),
            Column("all", _("All cases"), "count"),
            Column("hours", _("Hours booked"), "number"),
        ],
        rows=rows,
        chart=None,
        caption=_("Lead worker of the cases of the selection, and hours each worker booked on them."),
    )
