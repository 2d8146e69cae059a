"""'Would 300 households save EUR 4 million?': the prediction interval for the total of N new households,
from the expected net of the business cases in the selection. Never N x the mean: the interval holds the
uncertainty of the mean and the spread between households, after an optimism-bias haircut by the weakest
confidence grade of the catalogue items the business cases use."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from maatwerk.lib import stats

from ..charts import Column, Figure, interval
from ..filters import DEFAULT_TO
from .common import BOOTSTRAP_MAX_N, RESAMPLES, Context, notes


@dataclass
class Extrapolation:
    n: int
    to: int
    grade: str
    haircut: float
    result: stats.PredictionTotal | None


def weakest_grade(sums: dict) -> str:
    for grade in ("d", "c", "b", "a"):
        if sums.get(f"grade_{grade}"):
            return grade.upper()
    return ""


def extrapolate(ctx: Context, to: int = DEFAULT_TO) -> Extrapolation:
    t = ctx.total
    n = int(t["bc_n"])
    grade = weakest_grade(t)
    haircut = stats.haircut_for_grade(grade or None)
    if n < 2 or (ctx.audience.protected and n < 10):
        return Extrapolation(n, to, grade, haircut, None)
    if n <= BOOTSTRAP_MAX_N:
        values = list(ctx.facts.filter(bc_n=1).values_list("net_s1", flat=True))
        result = stats.prediction_total(
            values, to, rng=ctx.rng(1), haircut=haircut, selected=True, resamples=RESAMPLES
        )
    else:
        positive = stats.PowerSums(
            int(t["net_pos_n"]), float(t["net_pos_s1"]), float(t["net_pos_s2"]), float(t["net_pos_s3"])
        )
        negative = stats.PowerSums(
            n - int(t["net_pos_n"]),
            float(t["net_s1"]) - positive.s1,
            float(t["net_s2"]) - positive.s2,
            float(t["net_s3"]) - positive.s3,
        )
        result = stats.prediction_total_from_sums(positive, negative, to, haircut=haircut, selected=True)
    return Extrapolation(n, to, grade, haircut, result)


def figure(ctx: Context, to: int | None = None) -> Figure:
    to = to or ctx.to
    x = extrapolate(ctx, to)
    r = x.result
    rows = []
    if r is not None:
        rows = [
            {
                "what": _("Total for %(to)s new households") % {"to": f"{to:,}".replace(",", ".")},
                "estimate": r.estimate,
                "low": r.low,
                "high": r.high,
            },
        ]
    caption = (
        _(
            "Based on %(n)s cases with a business case; haircut for optimism %(haircut)s%% (weakest grade of "
            "the cost figures used: %(grade)s)."
        )
        % {"n": ctx.count(x.n), "haircut": f"{x.haircut * 100:.0f}", "grade": x.grade or "A"}
        + " "
        + _("Per household: %(mean)s (95%% interval %(low)s to %(high)s).")
        % {
            "mean": euro(r.per_household.estimate),
            "low": euro(r.per_household.low),
            "high": euro(r.per_household.high),
        }
        if r is not None
        else _("Too few cases with a business case to say anything about new households.")
    )
    return Figure(
        slug="extrapolation",
        title=_("What would %(to)s new households yield?") % {"to": f"{to:,}".replace(",", ".")},
        columns=[
            Column("what", ""),
            Column("estimate", _("Expected net"), "money"),
            Column("low", _("95% prediction interval from"), "money"),
            Column("high", _("to"), "money"),
        ],
        rows=rows,
        chart=interval("what", "estimate", "low", "high", x_title="", y_title=_("Euro")) if r else None,
        caption=caption,
        notes=notes(r)
        + [
            _(
                "Not the number of households times the mean: the interval includes how uncertain the mean "
                "is and how much households differ from each other."
            )
        ],
    )


def euro(value: float) -> str:
    return "€ " + f"{value:,.0f}".replace(",", ".")


def as_json(ctx: Context, to: int) -> dict:
    x = extrapolate(ctx, to)
    r = x.result
    body = {
        "n": ctx.count(x.n),
        "to": to,
        "weakest_grade": x.grade or None,
        "haircut": x.haircut,
        "level": 0.95,
        "per_household": None,
        "total": None,
        "warnings": [str(w) for w in notes(r)] if r else [],
    }
    if r is not None:
        ph = r.per_household
        body["per_household"] = {"estimate": ph.estimate, "low": ph.low, "high": ph.high, "method": ph.method}
        body["total"] = {"estimate": r.estimate, "low": r.low, "high": r.high, "method": r.method}
    return body
