"""Engine output as Decimals and chart geometry for templates, the PDF and the API (no writes)."""

from dataclasses import dataclass
from decimal import Decimal

from maatwerk.catalogue.models import Payer

from .engine import to_decimal

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
