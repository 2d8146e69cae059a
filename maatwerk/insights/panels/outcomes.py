"""Outcomes: realised against expected at the follow-ups, client grades, and recurrence with and without
a maatwerk spend."""

import math

from django.utils.translation import gettext as _

from maatwerk.lib import stats

from .. import disclosure
from ..charts import Column, Figure, bar, interval
from .common import Context, notes

MOMENTS = (("fu3", _("after 3 months")), ("fu12", _("after 12 months")))


def _share(ctx: Context, successes: int, n: int) -> dict:
    if n <= 0:
        return {"share": None, "low": None, "high": None}
    p = stats.proportion_interval(successes, n)
    return {
        "share": ctx.value(n, p.estimate * 100),
        "low": ctx.value(n, p.low * 100),
        "high": ctx.value(n, p.high * 100),
    }


def _mean_normal(ctx: Context, n: int, s1: float, s2: float) -> dict:
    """Mean and a t interval from Σx and Σx²: for the follow-up groups, whose third moment is not kept."""
    if n < 2:
        return {"mean": ctx.value(n, s1 / n if n else None), "mean_low": None, "mean_high": None}
    mean = s1 / n
    var = max((s2 - n * mean * mean) / (n - 1), 0.0)
    half = stats.t_ppf(0.975, n - 1) * math.sqrt(var / n)
    return {
        "mean": ctx.value(n, mean),
        "mean_low": ctx.value(n, mean - half),
        "mean_high": ctx.value(n, mean + half),
    }


def realised(ctx: Context) -> tuple[Figure, Figure]:
    t = ctx.total
    rows = []
    for prefix, label in MOMENTS:
        done, held = int(t[f"{prefix}_done"]), int(t[f"{prefix}_held"])
        rows.append({"moment": label, "n": ctx.count(done), **_share(ctx, held, done)})
    saving_rows = []
    for prefix, label in MOMENTS:
        for group, title in (("held", _("assumption held")), ("failed", _("assumption did not hold"))):
            n = int(t[f"{prefix}_{group}_bc"])
            saving_rows.append(
                {
                    "moment": f"{label}: {title}",
                    "n": ctx.count(n),
                    **_mean_normal(
                        ctx, n, float(t[f"{prefix}_{group}_net"]), float(t[f"{prefix}_{group}_net_sq"])
                    ),
                }
            )
    return (
        Figure(
            slug="realised",
            title=_("Realised against expected"),
            columns=[
                Column("moment", _("Follow-up")),
                Column("n", _("Follow-ups done"), "count"),
                Column("share", _("Key assumption held"), "percent"),
                Column("low", _("95% interval from"), "percent"),
                Column("high", _("to"), "percent"),
            ],
            rows=rows,
            chart=interval("moment", "share", "low", "high", x_title=_("Follow-up"), y_title=_("Percent")),
            caption=_(
                "Held: not back in trouble, and home and job kept where that was recorded (the business "
                "case's key assumption)."
            ),
        ),
        Figure(
            slug="realised_net",
            title=_("Expected net of the households whose assumption held, and of those whose did not"),
            columns=[
                Column("moment", _("Follow-up")),
                Column("n", _("Cases with a business case"), "count"),
                Column("mean", _("Expected net per case"), "money"),
                Column("mean_low", _("95% interval from"), "money"),
                Column("mean_high", _("to"), "money"),
            ],
            rows=saving_rows,
            chart=interval(
                "moment", "mean", "mean_low", "mean_high", x_title="", y_title=_("Euro"), horizontal=True
            ),
            caption=_("Did the cases that were expected to yield most keep their assumption?"),
        ),
    )


def grades(ctx: Context) -> Figure:
    t = ctx.total
    counts = [int(t[f"grade_{g}"]) for g in range(1, 11)]
    no_grade = int(t["no_grade"])
    summary = None
    if sum(counts) >= 2:
        summary = stats.mean_grade_from_counts(counts, no_grade)
    shown, total, _hidden = disclosure.one_way(ctx.audience, list(range(1, 11)), counts)
    rows = [{"grade": str(g), "n": s} for g, s in zip(range(1, 11), shown, strict=True)]
    # Not a grade: under the line in the table, not a bar in the chart.
    rows.append({"grade": _("No grade given"), "n": ctx.count(no_grade), "total": True})
    graded = sum(counts)
    if summary is not None:
        caption = _(
            "Mean grade %(mean)s (95%% interval %(low)s – %(high)s), n = %(n)s graded, %(none)s without."
        ) % {
            "mean": _num(ctx.value(graded, summary.estimate)),
            "low": _num(ctx.value(graded, summary.low)),
            "high": _num(ctx.value(graded, summary.high)),
            "n": ctx.count(graded),
            "none": ctx.count(no_grade),
        }
    else:
        caption = _("Too few grades for a mean.")
    return Figure(
        slug="grades",
        title=_("Client grades"),
        columns=[Column("grade", _("Grade")), Column("n", _("Respondents"), "count")],
        rows=rows,
        chart=bar("grade", "n", x_title=_("Grade"), y_title=_("Respondents")),
        caption=caption,
        notes=notes(summary) + [_("Closed cases without feedback count as respondents who gave no grade.")],
    )


def _num(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def recurrence(ctx: Context) -> Figure:
    by_spend = {True: {}, False: {}}
    for r in ctx.sums(["fu3_done", "fu3_trouble", "fu12_done", "fu12_trouble"], by=("kind",)):
        group = by_spend[bool(r["kind"])]
        for k in ("fu3_done", "fu3_trouble", "fu12_done", "fu12_trouble"):
            group[k] = group.get(k, 0) + int(r[k])
    rows = []
    for prefix, label in MOMENTS:
        for spent, title in ((True, _("with a maatwerk spend")), (False, _("without"))):
            g = by_spend[spent]
            done, trouble = g.get(f"{prefix}_done", 0), g.get(f"{prefix}_trouble", 0)
            rows.append({"group": f"{label}, {title}", "n": ctx.count(done), **_share(ctx, trouble, done)})
    return Figure(
        slug="recurrence",
        title=_("Back in trouble"),
        columns=[
            Column("group", _("Group")),
            Column("n", _("Follow-ups done"), "count"),
            Column("share", _("Back in trouble"), "percent"),
            Column("low", _("95% interval from"), "percent"),
            Column("high", _("to"), "percent"),
        ],
        rows=rows,
        chart=interval("group", "share", "low", "high", x_title="", y_title=_("Percent"), horizontal=True),
        caption=_("Share of households back in trouble at the follow-up, with and without a maatwerk spend."),
        notes=[
            _(
                "Careful: households with and without a spend differ in more than the spend (their problems, "
                "their team, the moment). The difference does not show what the spend did."
            )
        ],
    )
