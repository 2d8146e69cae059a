"""Money: maatwerk spend by channel and budget exhaustion; expected avoided cost and net from the business
cases, per case and in total, with the two-level interval; what yields most, per kind of maatwerk."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from maatwerk.budgets.models import Channel, Kind
from maatwerk.lib import stats

from .. import disclosure, source
from ..charts import Column, Figure, interval, line
from ..models import BudgetMonth
from .common import BOOTSTRAP_MAX_N, RESAMPLES, Context, interval_cells, notes

BC_FIELDS = ("bc_n", "net_s1", "net_s2", "net_s3", "net_v", "net_mv", "net_t", "chance")


def spend_by_channel(ctx: Context) -> Figure:
    t = ctx.total
    rows = []
    for channel, amount, n in (
        (Channel.MAATWERKBUDGET, t["spend_maatwerk"], t["spend_maatwerk_n"]),
        (Channel.BIJZONDERE_BIJSTAND, t["spend_bijzonder"], t["spend_bijzonder_n"]),
    ):
        n = int(n)
        mean = Decimal(amount) / n if n else None
        rows.append(
            {
                "channel": str(channel.label),
                "n": ctx.count(n),
                "amount": ctx.value(n, disclosure.money(ctx.audience, Decimal(amount))),
                "mean": ctx.value(n, mean),
            }
        )
    return Figure(
        slug="spend",
        title=_("Maatwerk spend by channel"),
        columns=[
            Column("channel", _("Channel")),
            Column("n", _("Cases with a spend"), "count"),
            Column("amount", _("Approved or paid"), "money"),
            Column("mean", _("Per case"), "money"),
        ],
        rows=rows,
        chart=None,
        caption=_("Approved and paid spends of the cases in the selection."),
    )


def budget_exhaustion(ctx: Context) -> Figure | None:
    """Spent plus committed against the budgets, cumulative per month. Not for a life-domain or agency
    filter (a budget is not split by those)."""
    if ctx.filters.by_membership:
        return None
    a = ctx.audience
    qs = source.in_reach(BudgetMonth.objects.all(), a, ctx.filters)
    months = list(
        qs.values("month")
        .annotate(
            allocated=Sum("allocated"), committed=Sum("committed"), paid=Sum("paid"), spends=Sum("spends")
        )
        .order_by("month")
    )
    # Against what the budgets hold now (an allocation is often booked after the first spends of its
    # period). For the protected roles a month of fewer than ten spends is merged into the next: its own
    # sum would be the difference of two cumulative figures.
    budget = sum((m["allocated"] or 0 for m in months), Decimal(0))
    rows, used, pending = [], Decimal(0), 0
    for m in months:
        used += (m["committed"] or 0) + (m["paid"] or 0)
        pending += m["spends"] or 0
        if a.protected and 0 < pending < 10:
            # Held back; at the end the tail stays merged into the month before it (nothing new shown).
            continue
        pending = 0
        rows.append(
            {
                "month": m["month"].strftime("%Y-%m"),
                "budget": disclosure.money(a, budget),
                "used": disclosure.money(a, used),
                "share": used / budget * 100 if budget else None,
            }
        )
    return Figure(
        slug="budget",
        title=_("Budget exhaustion"),
        columns=[
            Column("month", _("Up to month"), "month"),
            Column("budget", _("Budget"), "money"),
            Column("used", _("Spent and committed"), "money"),
            Column("share", _("Used"), "percent"),
        ],
        rows=rows,
        chart=line("month", ["budget", "used"], x_title=_("Month"), y_title=_("Euro")),
        caption=_(
            "What was spent or committed from the budgets up to each month, against what they hold now."
        ),
        notes=[_("Months with fewer than 10 spends are added to the next month.")] if a.protected else [],
    )


def household_draws(rows) -> list:
    """Each household's draws from (net_draws, net_s1) rows; a version without draws counts as its mean."""
    return [d if d else [m] for d, m in rows]


def two_level(ctx: Context, qs=None, sums: dict | None = None, draws: list | None = None):
    """The two-level interval of the expected net per household: a bootstrap over the households' draws
    when few are selected (`draws`, or fetched from `qs`), Hall's interval from the sums (what the
    bootstrap's analytic path gives) when many."""
    sums = sums if sums is not None else ctx.total
    n = int(sums["bc_n"])
    if n < 2:
        return None
    if n <= BOOTSTRAP_MAX_N:
        if draws is None:
            rows = (qs if qs is not None else ctx.facts).filter(bc_n=1).values_list("net_draws", "net_s1")
            draws = household_draws(rows)
        if len(draws) >= 2:
            return stats.two_level_interval(draws, rng=ctx.rng(), resamples=RESAMPLES)
    return stats.two_level_from_sums(
        n,
        float(sums["net_s1"]),
        float(sums["net_s2"]),
        float(sums["net_s3"]),
        float(sums["net_v"]),
        float(sums["net_mv"]),
        float(sums["net_t"]),
        float(sums["chance"]),
    )


def business_cases(ctx: Context) -> tuple[Figure, Figure]:
    """The expected net per case with its two-level interval (the chart), and the totals (a table)."""
    t = ctx.total
    n = int(t["bc_n"])
    result = two_level(ctx)
    chance = ctx.value(n, result.chance_positive * 100) if result is not None else None
    per_case = Figure(
        slug="businesscases",
        title=_("What the business cases expect per case"),
        columns=[
            Column("what", ""),
            Column("n", _("Cases with a business case"), "count"),
            Column("estimate", _("Estimate"), "money"),
            Column("low", _("95% interval from"), "money"),
            Column("high", _("to"), "money"),
            Column("chance", _("Chance that benefits exceed costs"), "percent"),
        ],
        rows=[
            {
                "what": _("Expected net per case"),
                "n": ctx.count(n),
                **interval_cells(ctx, n, result),
                "chance": chance,
            }
        ],
        chart=interval("what", "estimate", "low", "high", x_title="", y_title=_("Euro"))
        if result is not None
        else None,
        caption=_(
            "The WSIPP-style chance that benefits exceed costs is for the average case of the selection."
        )
        if result is not None
        else _("Too few business cases for an interval."),
        notes=notes(result)
        + [
            _(
                "The interval includes both the differences between households and the uncertainty within "
                "each business case (its simulation)."
            )
        ],
    )
    rows = []
    if result is not None:
        rows.append(
            {
                "what": _("Expected net, all these cases together"),
                "estimate": ctx.value(n, result.total.estimate),
                "low": ctx.value(n, result.total.low),
                "high": ctx.value(n, result.total.high),
            }
        )
    rows.append({"what": _("Expected avoided cost, in total"), "estimate": ctx.value(n, float(t["avoided"]))})
    rows.append({"what": _("Invested, in total"), "estimate": ctx.value(n, float(t["investment"]))})
    totals = Figure(
        slug="businesscase_totals",
        title=_("What the business cases expect in total"),
        columns=[
            Column("what", ""),
            Column("estimate", _("Estimate"), "money"),
            Column("low", _("95% interval from"), "money"),
            Column("high", _("to"), "money"),
        ],
        rows=rows,
        chart=None,
        caption=_(
            "The sum over the %(n)s cases with a business case; its interval holds the uncertainty within "
            "the business cases only (these households are counted, not sampled)."
        )
        % {"n": ctx.count(n)},
    )
    return per_case, totals


def by_kind(ctx: Context) -> Figure:
    """'What yields most?': the expected net per kind of maatwerk (the kind of the case's largest spend)."""
    per_kind = {r["kind"]: r for r in ctx.sums(BC_FIELDS, by=("kind",))}
    shown = {
        k: int(r["bc_n"])
        for k, r in per_kind.items()
        if k and r["bc_n"] and not (ctx.audience.protected and r["bc_n"] < 10)
    }
    # The small kinds' households in one read, not one per kind (a scan of the facts each).
    few = [k for k, n in shown.items() if n <= BOOTSTRAP_MAX_N]
    draws: dict[str, list] = {k: [] for k in few}
    if few:
        rows = ctx.facts.filter(bc_n=1, kind__in=few).values_list("kind", "net_draws", "net_s1")
        for kind, d, m in rows:
            draws[kind].extend(household_draws([(d, m)]))
    rows = []
    for kind in Kind:
        sums = per_kind.get(kind.value)
        if not sums or not sums["bc_n"]:
            continue
        n = int(sums["bc_n"])
        result = two_level(ctx, sums=sums, draws=draws.get(kind.value)) if kind.value in shown else None
        rows.append(
            {
                "kind": str(kind.label),
                "n": ctx.count(n),
                **interval_cells(ctx, n, result),
                "chance": ctx.value(n, result.chance_positive * 100) if result else None,
            }
        )
    return Figure(
        slug="kinds",
        title=_("What yields most? Expected net per kind of maatwerk"),
        columns=[
            Column("kind", _("Kind of maatwerk")),
            Column("n", _("Cases"), "count"),
            Column("estimate", _("Net per case"), "money"),
            Column("low", _("95% interval from"), "money"),
            Column("high", _("to"), "money"),
            Column("chance", _("Chance of a net gain"), "percent"),
        ],
        rows=rows,
        chart=interval(
            "kind", "estimate", "low", "high", x_title=_("Kind"), y_title=_("Euro"), horizontal=True
        ),
        caption=_("Cases with a business case and a spend, by the kind of their largest spend."),
        notes=[_("Kinds with fewer than 10 cases are not shown as figures.")]
        if ctx.audience.protected
        else [],
    )
