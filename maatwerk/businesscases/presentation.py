"""What pages, the PDF and the API show of a plan (no writes): engine output as Decimals, chart geometry,
the route labels, a version's flows with their sources, and engine errors in plain Dutch.

Imports run one way inside the app (``tests/test_import_graph.py`` holds it)::

    engine <- evaluation <- presentation <- editor, pdf <- services <- views, api

Models, forms and queries sit beside the engine at the bottom; cli uses only the engine. This module
imports the engine, evaluation and forms (for the editor's field labels), never the editor, services, the
PDF or views.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maatwerk.catalogue.models import Payer

from . import engine, evaluation
from .engine import to_decimal
from .forms import ParametersForm

CHART_WIDTH, CHART_HEIGHT = 640, 260
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 70, 12, 12, 30


def payer_label(code: str) -> str:
    try:
        return str(Payer(code).label)
    except ValueError:
        return code


@dataclass(frozen=True)
class PayerRow:
    payer: str
    label: str
    invests: Decimal
    avoided: Decimal
    net: Decimal

    @property
    def wrong_pocket(self) -> bool:
        """Saves without investing: the classic "wrong pocket" — another party pays for this gain."""
        return self.invests == 0 and self.avoided > 0


def summary(result: dict) -> dict:
    expected = result["expected"]
    simulation = result["simulation"]
    roi = expected["roi"]
    rows = [
        PayerRow(
            payer=payer,
            label=payer_label(payer),
            invests=to_decimal(sums["invests"]),
            avoided=to_decimal(sums["avoided"]),
            net=to_decimal(sums["net"]),
        )
        for payer, sums in result["by_payer"].items()
    ]
    rows.sort(key=lambda r: (-r.invests, -r.avoided))
    return {
        "investment": to_decimal(expected["investment"]),
        "regular_route": to_decimal(expected["regular_route"]),
        "maatwerk_route": to_decimal(expected["maatwerk_route"]),
        "avoided": to_decimal(expected["avoided"]),
        "net": to_decimal(expected["net"]),
        "roi": to_decimal(roi, 2) if roi is not None else None,
        "p_net_positive": to_decimal(simulation["p_net_positive"] * 100, 0),
        "mean": to_decimal(simulation["net"]["mean"]),
        "p5": to_decimal(simulation["net"]["p5"]),
        "p50": to_decimal(simulation["net"]["p50"]),
        "p95": to_decimal(simulation["net"]["p95"]),
        "payback_month": result.get("payback_month"),
        "payers": rows,
        "wrong_pocket": any(r.wrong_pocket for r in rows) and any(r.invests > 0 for r in rows),
        "chart": chart(result.get("monthly")),
    }


def _nice_step(span: float) -> float:
    raw = span / 4 or 1
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def chart(monthly: dict | None) -> dict | None:
    """Two polylines (cumulative cost of the regular route, and of the maatwerk route with investments)."""
    if not monthly:
        return None
    regular = monthly.get("regular_route") or []
    maatwerk = monthly.get("maatwerk_incl_investment") or []
    months = max(len(regular), len(maatwerk))
    if months == 0:
        return None
    values = [*regular, *maatwerk, 0.0]
    low, high = min(values), max(values)
    step = _nice_step(high - low)
    top = step * (int(high / step) + (1 if high % step else 0)) if high > 0 else 0.0
    bottom = -step * (int(-low / step) + (1 if -low % step else 0)) if low < 0 else 0.0
    if top == bottom:
        top = bottom + step
    plot_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

    def x(month: int) -> float:
        return round(CHART_LEFT + plot_w * (month + 1) / months, 1)

    def y(value: float) -> float:
        return round(CHART_TOP + plot_h * (top - value) / (top - bottom), 1)

    def c(value: float) -> str:
        # Coordinates as strings: templates would localise a float to "230,0", which SVG reads as two numbers.
        return f"{value:.1f}"

    def points(series: list[float]) -> str:
        # Start at month 0 with nothing spent, so a one-off at month 0 shows as a step up.
        coords = [(CHART_LEFT, y(0.0))] + [(x(m), y(v)) for m, v in enumerate(series)]
        return " ".join(f"{c(a)},{c(b)}" for a, b in coords)

    ticks = []
    value = bottom
    while value <= top + step / 2:
        ticks.append({"y": c(y(value)), "label_y": c(y(value) + 4), "value": to_decimal(value, 0)})
        value += step
    month_ticks = []
    month_step = 12 if months > 24 else 6 if months > 6 else 1
    for m in range(0, months + 1, month_step):
        month_ticks.append({"x": c(CHART_LEFT + plot_w * m / months), "month": m})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "top": CHART_TOP,
        "bottom": CHART_HEIGHT - CHART_BOTTOM,
        "label_x": CHART_LEFT - 6,
        "month_label_y": CHART_HEIGHT - CHART_BOTTOM + 16,
        "tick_end": CHART_HEIGHT - CHART_BOTTOM + 4,
        "regular": points(regular),
        "maatwerk": points(maatwerk),
        "ticks": ticks,
        "month_ticks": month_ticks,
        "regular_total": to_decimal(regular[-1]) if regular else Decimal(0),
        "maatwerk_total": to_decimal(maatwerk[-1]) if maatwerk else Decimal(0),
    }


# --- routes and flows -----------------------------------------------------------------------------------

ROUTE_LABELS = {
    "investments": gettext_lazy("Investments (maatwerk)"),
    "regular_route": gettext_lazy("Regular route: what happens without the plan"),
    "maatwerk_route": gettext_lazy("Maatwerk route: what still happens with the plan"),
}


def flows_with_sources(version) -> list[dict]:
    """Every flow of a version with its route and, for catalogue items, where the figure came from."""
    out = []
    for route in engine.ROUTES:
        for flow in version.plan.get(route) or []:
            amount = flow.get("amount")
            out.append(
                {
                    "route": ROUTE_LABELS[route],
                    "label": flow.get("label") or "",
                    "amount": to_decimal(amount["mode"] if isinstance(amount, dict) else amount),
                    "low": to_decimal(amount["low"]) if isinstance(amount, dict) else None,
                    "high": to_decimal(amount["high"]) if isinstance(amount, dict) else None,
                    "per": flow.get("per", "once"),
                    "start_month": flow.get("start_month", flow.get("month", 0)),
                    "months": flow.get("months"),
                    "probability": to_decimal(
                        (
                            sum(flow["probability"].values()) / 3
                            if isinstance(flow.get("probability"), dict)
                            else flow.get("probability", 1)
                        )
                        * 100,
                        0,
                    ),
                    "payer": flow.get("payer", engine.DEFAULT_PAYER),
                    "cost_code": flow.get("cost_code"),
                    "source": version.sources.get(flow.get("cost_code") or "", None),
                    "worker_time": flow.get("cost_code") == evaluation.WORKER_FLOW_CODE,
                }
            )
    return out


# --- engine errors in plain Dutch -----------------------------------------------------------------------

# A row of a route, and what follows it: "investments[1].amount.low" -> ("investments", "1", "amount.low").
_ROW_PATH = re.compile(
    r"^(?P<route>investments|regular_route|maatwerk_route)\[(?P<index>\d+)\](?:\.(?P<rest>.+))?$"
)


def _flow_part(rest: str) -> str:
    parts = {
        "amount": _("amount"),
        "amount.low": _("lowest amount"),
        "amount.mode": _("most likely amount"),
        "amount.high": _("highest amount"),
        "probability": _("probability"),
        "probability.low": _("lowest probability"),
        "probability.mode": _("most likely probability"),
        "probability.high": _("highest probability"),
        "per": _("how often"),
        "start_month": _("start month"),
        "month": _("month"),
        "months": _("number of months"),
        "payer": _("payer"),
        "label": _("description"),
        "cost_code": _("catalogue item"),
    }
    # A key the engine does not know (the API sent something else): name it as it was sent.
    return parts.get(rest, f"“{rest}”")


def _top_part(path: str) -> str:
    form_labels = {name: field.label for name, field in ParametersForm.base_fields.items()}
    parts = {
        **form_labels,
        "plan": _("The plan"),
        "draws": _("Number of simulations"),
        "seed": _("Starting value of the simulation"),
        "investments": _("Investments"),
        "regular_route": _("Regular route"),
        "maatwerk_route": _("Maatwerk route"),
        "result": _("The stored result"),
    }
    if path in parts:
        return str(parts[path])
    if path.split(".")[0] in ("monthly", "expected", "simulation", "by_payer"):
        return _("The stored result")
    return f"“{path}”"


def field_label(path: str) -> str:
    """An engine path in words a social worker reads: ``investments[1].amount`` -> "Investering 2, bedrag",
    ``regular_route[0].probability`` -> "Reguliere route, regel 1, kans"."""
    match = _ROW_PATH.match(path)
    if match is None:
        return _top_part(path)
    n = int(match["index"]) + 1
    route = match["route"]
    if route == "investments":
        where = _("Investment %(n)d") % {"n": n}
    else:
        name = _("Regular route") if route == "regular_route" else _("Maatwerk route")
        where = _("%(route)s, row %(n)d") % {"route": name, "n": n}
    rest = match["rest"]
    return f"{where}, {_flow_part(rest)}" if rest else where


def plan_error_message(exc: engine.PlanError) -> str:
    """The engine's message as a sentence, for under the form field it belongs to."""
    message = exc.message.strip()
    sentence = message[:1].upper() + message[1:]
    return sentence if sentence.endswith((".", "?", "!")) else f"{sentence}."


def plan_error_text(exc: engine.PlanError) -> str:
    """The whole error in plain Dutch, naming the field: "Investering 2, bedrag: mag niet negatief zijn."

    The one wording for the editor (an error that has no form field of its own), the API's ``message``
    and a stored version that cannot be shown.
    """
    message = exc.message.strip()
    return f"{field_label(exc.field)}: {message if message.endswith('.') else message + '.'}"


def version_problem(version) -> str | None:
    """Why a stored version cannot be shown (a sentence naming the field), or None when it can."""
    exc = evaluation.version_error(version)
    if exc is None:
        return None
    return _(
        "This version of the business case holds an amount that is not valid (%(field)s: %(message)s). "
        "Correct the plan in the editor and save it again."
    ) % {"field": field_label(exc.field), "message": exc.message}
