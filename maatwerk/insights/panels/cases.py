"""Cases: by status, life domain and agency; new and closed per month; time from intake to closing."""

from django.utils.translation import gettext as _

from maatwerk.cases.models import STATUS_ORDER, Agency, LifeDomain
from maatwerk.lib import stats

from .. import disclosure
from ..charts import Column, Figure, bar, interval, line
from .common import Context, interval_cells, notes


def by_status(ctx: Context) -> Figure:
    rows = {r["status"]: r["n"] for r in ctx.sums(["n"], by=("status",))}
    counts = [rows.get(s.value, 0) for s in STATUS_ORDER]
    shown, total, _hidden = disclosure.one_way(ctx.audience, [s.value for s in STATUS_ORDER], counts)
    table = [{"status": str(s.label), "n": c} for s, c in zip(STATUS_ORDER, shown, strict=True)]
    table.append({"status": _("Total"), "n": total, "total": True})
    return Figure(
        slug="status",
        title=_("Cases by status"),
        columns=[Column("status", _("Status")), Column("n", _("Cases"), "count")],
        rows=table,
        chart=bar("status", "n", x_title=_("Status"), y_title=_("Cases")),
        caption=_("Cases opened in the chosen period, by their status now."),
    )


def _membership(ctx: Context, prefix: str, choices, slug: str, title: str, label: str) -> Figure:
    fields = [f"{prefix}_{c.value}" for c in choices]
    total = ctx.total
    counts = [int(total[f]) for f in fields]
    # A case can be in several categories: the total is the number of cases, not the sum.
    shown, shown_total, _hidden = disclosure.one_way(
        ctx.audience, [c.value for c in choices], counts, total=int(total["n"])
    )
    table = [{"category": str(c.label), "n": s} for c, s in zip(choices, shown, strict=True)]
    table.sort(key=lambda r: -(r["n"] if isinstance(r["n"], int) else 0))
    table.append({"category": _("All cases"), "n": shown_total, "total": True})
    return Figure(
        slug=slug,
        title=title,
        columns=[Column("category", label), Column("n", _("Cases"), "count")],
        rows=table,
        chart=bar("category", "n", x_title=label, y_title=_("Cases"), horizontal=True),
        caption=_("A case involves several at once, so the rows add up to more than all cases."),
    )


def by_domain(ctx: Context) -> Figure:
    return _membership(
        ctx, "domain", list(LifeDomain), "domains", _("Cases by life domain"), _("Life domain")
    )


def by_agency(ctx: Context) -> Figure:
    return _membership(ctx, "agency", list(Agency), "agencies", _("Cases by agency"), _("Agency"))


def per_month(ctx: Context) -> Figure:
    opened = {r["opened_month"]: r["n"] for r in ctx.sums(["n"], by=("opened_month",))}
    closed = {
        r["closed_month"]: r["closed_n"]
        for r in ctx.sums(["closed_n"], by=("closed_month",))
        if r["closed_month"] is not None
    }
    months = sorted(set(opened) | set(closed))
    rows = []
    for month in months:
        rows.append(
            {
                "month": month.strftime("%Y-%m"),
                "opened": ctx.count(opened.get(month, 0)),
                "closed": ctx.count(closed.get(month, 0)),
            }
        )
    return Figure(
        slug="months",
        title=_("New and closed cases per month"),
        columns=[
            Column("month", _("Month"), "month"),
            Column("opened", _("New"), "count"),
            Column("closed", _("Closed"), "count"),
        ],
        rows=rows,
        chart=line("month", ["opened", "closed"], x_title=_("Month"), y_title=_("Cases")),
        caption=_("Closed: cases of the chosen period closed in that month."),
    )


def duration(ctx: Context) -> Figure:
    t = ctx.total
    n = int(t["closed_n"])
    result = None
    if n >= 2:
        result = stats.mean_interval_from_sums(
            stats.PowerSums(
                n, float(t["duration_days"]), float(t["duration_days_sq"]), float(t["duration_days_cu"])
            )
        )
    row = {"what": _("Days from opening to closing"), "n": ctx.count(n), **interval_cells(ctx, n, result)}
    return Figure(
        slug="duration",
        title=_("Time from intake to closing"),
        columns=[
            Column("what", ""),
            Column("n", _("Closed cases"), "count"),
            Column("estimate", _("Mean (days)"), "number"),
            Column("low", _("95% interval from"), "number"),
            Column("high", _("to"), "number"),
        ],
        rows=[row],
        chart=interval("what", "estimate", "low", "high", x_title="", y_title=_("Days")),
        caption=_("Mean number of days of the closed cases, with its 95% interval."),
        notes=notes(result),
    )
