"""Business-case engine: what a maatwerk plan costs and what it avoids, with uncertainty.

Pure module (stdlib + numpy, no Django) implementing the contract in DESIGN.md, "Business-case engine".
Views, services and the command line call :func:`compute`; the Django side converts the float results
at its edge with :func:`to_decimal`.

Semantics and the choices the contract leaves open:

* A flow pays in months ``start_month … start_month+months-1`` clipped to ``[0, horizon_months)``.
  ``per="once"`` pays ``amount`` once, in ``start_month``; ``per="month"`` pays ``amount`` every month;
  ``per="year"`` pays ``amount / 12`` every month. ``months`` defaults to "until the horizon" and is only
  allowed for ``month``/``year``. Month ``m`` is discounted by ``(1 + discount_rate) ** (-m / 12)``.
* Every euro figure (expected, simulated, per payer, monthly, payback) is a discounted present value.
* Expected values are exact: ``mean(probability) × mean(amount) × present-value factor``; probability and
  amount are independent, so the mean of the product is the product of the means.
* ``avoided = (regular_route − maatwerk_route) × (1 − deadweight) × (1 − optimism_bias)``,
  ``net = avoided − investment``, ``roi = avoided / investment`` and ``None`` when the investment rounds
  to zero cents.
* ``payback_month`` is the first month ``m`` in which the cumulative expected avoided cost (adjusted for
  deadweight and optimism bias) up to and including ``m`` reaches the cumulative investment up to and
  including ``m``, counting only months in which some investment has been made: help that starts to pay
  off before the money is spent has not paid anything back yet. ``None`` if that never happens within
  the horizon; ``0`` when the plan has no (expected) investment at all, since there is nothing to earn
  back. "Reaches" is judged to the cent (half-cent tolerance) so float noise cannot move the month.
* Simulation: per draw every flow happens as a whole or not at all (a Bernoulli trial on its
  probability), triangular amounts are drawn with ``Generator.triangular``, and the net is computed the
  same way as the expected net. A triangular probability is not sampled separately: drawing ``p`` and then
  a trial with chance ``p`` gives exactly a trial with chance ``mean(p)`` (see ``_simulate``).
  ``p_net_positive`` counts draws whose net is positive to the cent (``net >= 0.005``). Percentiles use
  numpy's default linear interpolation.
* Output money is rounded half-up to cents, ``roi`` and ``p_net_positive`` to 4 decimals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_PAYER",
    "DEFAULT_SEED",
    "MAX_DRAWS",
    "MAX_FLOWS",
    "MAX_HORIZON_MONTHS",
    "PERIODS",
    "ROUTES",
    "Flow",
    "NormalizedPlan",
    "PlanError",
    "Triangular",
    "compute",
    "simulate_net",
    "to_decimal",
    "validate",
]

MAX_HORIZON_MONTHS = 600
MAX_DRAWS = 1_000_000
DEFAULT_DRAWS = 10_000
# A fixed default seed keeps a plan's result reproducible when the caller does not choose one.
DEFAULT_SEED = 0
DEFAULT_PAYER = "onbekend"
# A household plan has a handful of flows; the cap bounds the simulation cost of a hostile request.
MAX_FLOWS = 200
PERIODS = ("once", "month", "year")
ROUTES = ("investments", "regular_route", "maatwerk_route")

_TOP_LEVEL_KEYS = frozenset(
    {"horizon_months", "discount_rate", "draws", "seed", "deadweight", "optimism_bias", *ROUTES}
)
_FLOW_KEYS = frozenset(
    {"label", "amount", "per", "start_month", "month", "months", "probability", "payer", "cost_code"}
)
_TRIANGULAR_KEYS = ("low", "mode", "high")
# Money is compared and reported to the cent; half a cent absorbs float noise without changing any result
# that is visible after rounding.
_HALF_CENT = 0.005


class PlanError(ValueError):
    """Invalid plan. ``field`` is the path of the offending value, e.g. ``regular_route[0].probability``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Triangular:
    low: float
    mode: float
    high: float

    @property
    def mean(self) -> float:
        if self.degenerate:
            return self.low  # (x + x + x) / 3 need not equal x in floating point
        return (self.low + self.mode + self.high) / 3

    @property
    def degenerate(self) -> bool:
        return self.low == self.high


Value = float | Triangular


@dataclass(frozen=True, slots=True)
class Flow:
    amount: Value
    probability: Value
    per: str
    start_month: int
    months: int | None  # None: until the horizon
    payer: str
    label: str | None = None
    cost_code: str | None = None


@dataclass(frozen=True, slots=True)
class NormalizedPlan:
    horizon_months: int
    discount_rate: float
    draws: int
    seed: int
    investments: tuple[Flow, ...]
    regular_route: tuple[Flow, ...]
    maatwerk_route: tuple[Flow, ...]
    deadweight: float
    optimism_bias: float

    @property
    def adjustment(self) -> float:
        """Share of the avoided cost that is credited to the plan."""
        return (1 - self.deadweight) * (1 - self.optimism_bias)


# --- validation -------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    # bool is a subclass of int, but `true` is never a meaningful amount or rate.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any, field: str) -> float:
    if not _is_number(value):
        raise PlanError(field, "moet een getal zijn")
    try:
        result = float(value)
    except OverflowError:
        raise PlanError(field, "is te groot") from None
    if not math.isfinite(result):
        raise PlanError(field, "moet een eindig getal zijn")
    return result


def _integer(value: Any, field: str, *, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanError(field, "moet een geheel getal zijn")
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            raise PlanError(field, f"moet {minimum} of groter zijn")
        raise PlanError(field, f"moet tussen {minimum} en {maximum} liggen")
    return value


def _fraction(value: Any, field: str) -> float:
    """A share in [0, 1): deadweight, optimism bias, discount rate."""
    result = _number(value, field)
    if not 0 <= result < 1:
        raise PlanError(field, "moet 0 of groter en kleiner dan 1 zijn")
    return result


def _value(value: Any, field: str, *, minimum: float | None, maximum: float | None, bounds_msg: str) -> Value:
    """A number or a triangular {low, mode, high}, every point within [minimum, maximum]."""
    if isinstance(value, Mapping):
        for key in value:
            if key not in _TRIANGULAR_KEYS:
                raise PlanError(f"{field}.{key}", "onbekend veld (verwacht low, mode en high)")
        points = []
        for key in _TRIANGULAR_KEYS:
            if key not in value or value[key] is None:
                raise PlanError(f"{field}.{key}", "is verplicht bij een driehoeksverdeling")
            points.append(_number(value[key], f"{field}.{key}"))
        low, mode, high = points
        if not low <= mode <= high:
            raise PlanError(field, "moet voldoen aan low ≤ mode ≤ high")
        for key, point in zip(_TRIANGULAR_KEYS, points, strict=True):
            if (minimum is not None and point < minimum) or (maximum is not None and point > maximum):
                raise PlanError(f"{field}.{key}", bounds_msg)
        return Triangular(low, mode, high)
    if not _is_number(value):
        raise PlanError(field, "moet een getal of een driehoeksverdeling {low, mode, high} zijn")
    result = _number(value, field)
    if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
        raise PlanError(field, bounds_msg)
    return result


def _optional_text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PlanError(field, "moet tekst zijn")
    return value


def _flow(raw: Any, field: str, *, investment: bool) -> Flow:
    if not isinstance(raw, Mapping):
        raise PlanError(field, "moet een object zijn")
    for key in raw:
        if key not in _FLOW_KEYS:
            raise PlanError(f"{field}.{key}", "onbekend veld")

    # `get` returns None for absent keys and for null: forms and serializers send null for empty optional
    # fields, so both mean "not given".
    get = raw.get

    if get("amount") is None:
        raise PlanError(f"{field}.amount", "is verplicht")
    amount = _value(
        get("amount"),
        f"{field}.amount",
        # An investment is money spent; a negative one would make roi and payback meaningless. Route
        # flows may be negative (income such as wages earned instead of benefits).
        minimum=0.0 if investment else None,
        maximum=None,
        bounds_msg="mag niet negatief zijn bij een investering",
    )
    probability: Value = 1.0
    if get("probability") is not None:
        probability = _value(
            get("probability"),
            f"{field}.probability",
            minimum=0.0,
            maximum=1.0,
            bounds_msg="moet tussen 0 en 1 liggen",
        )

    per = get("per")
    if per is None:
        per = "once"
    if per not in PERIODS:
        raise PlanError(f"{field}.per", "moet 'once', 'month' of 'year' zijn")

    start_month = 0
    if get("start_month") is not None:
        start_month = _integer(get("start_month"), f"{field}.start_month", minimum=0)
    if get("month") is not None:
        month = _integer(get("month"), f"{field}.month", minimum=0)
        if get("start_month") is not None and month != start_month:
            raise PlanError(f"{field}.month", "spreekt start_month tegen (geef er één op)")
        start_month = month

    months = None
    if get("months") is not None:
        if per == "once":
            # A one-off amount with a duration is almost always a monthly amount entered wrongly; silently
            # paying it once would understate the case by a factor `months`.
            raise PlanError(f"{field}.months", "kan alleen bij per 'month' of 'year'")
        months = _integer(get("months"), f"{field}.months", minimum=1)

    payer = get("payer")
    if payer is None:
        payer = DEFAULT_PAYER
    if not isinstance(payer, str) or not payer.strip():
        raise PlanError(f"{field}.payer", "moet een niet-lege tekst zijn")

    return Flow(
        amount=amount,
        probability=probability,
        per=per,
        start_month=start_month,
        months=months,
        payer=payer.strip(),
        label=_optional_text(get("label"), f"{field}.label"),
        cost_code=_optional_text(get("cost_code"), f"{field}.cost_code"),
    )


def _flows(raw: Any, field: str, *, investment: bool) -> tuple[Flow, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Sequence):
        raise PlanError(field, "moet een lijst zijn")
    if len(raw) > MAX_FLOWS:
        raise PlanError(field, f"mag maximaal {MAX_FLOWS} posten bevatten")
    return tuple(_flow(item, f"{field}[{i}]", investment=investment) for i, item in enumerate(raw))


def validate(plan: Any) -> NormalizedPlan:
    """Check a plan (parsed JSON) and return it normalised; raises :class:`PlanError` naming the field."""
    if isinstance(plan, NormalizedPlan):
        return plan
    if not isinstance(plan, Mapping):
        raise PlanError("plan", "moet een object zijn")
    for key in plan:
        if key not in _TOP_LEVEL_KEYS:
            raise PlanError(str(key), "onbekend veld")

    if plan.get("horizon_months") is None:
        raise PlanError("horizon_months", "is verplicht")
    horizon = _integer(plan["horizon_months"], "horizon_months", minimum=1, maximum=MAX_HORIZON_MONTHS)

    def optional(key: str, default: Any) -> Any:
        value = plan.get(key)
        return default if value is None else value

    return NormalizedPlan(
        horizon_months=horizon,
        discount_rate=_fraction(optional("discount_rate", 0.0), "discount_rate"),
        draws=_integer(optional("draws", DEFAULT_DRAWS), "draws", minimum=1, maximum=MAX_DRAWS),
        # numpy seeds must be non-negative.
        seed=_integer(optional("seed", DEFAULT_SEED), "seed", minimum=0),
        investments=_flows(plan.get("investments"), "investments", investment=True),
        regular_route=_flows(plan.get("regular_route"), "regular_route", investment=False),
        maatwerk_route=_flows(plan.get("maatwerk_route"), "maatwerk_route", investment=False),
        deadweight=_fraction(optional("deadweight", 0.0), "deadweight"),
        optimism_bias=_fraction(optional("optimism_bias", 0.0), "optimism_bias"),
    )


# --- calculation ------------------------------------------------------------------------------------


def _mean(value: Value) -> float:
    return value.mean if isinstance(value, Triangular) else value


def _paying_months(flow: Flow, horizon: int) -> tuple[int, int]:
    """Half-open month range [first, end) in which the flow pays, clipped to the horizon (may be empty)."""
    first = min(flow.start_month, horizon)
    if flow.per == "once":
        length = 1
    elif flow.months is None:
        length = horizon
    else:
        length = flow.months
    return first, min(flow.start_month + length, horizon)


def _monthly_share(flow: Flow) -> float:
    # Yearly amounts are spread evenly over the months they cover.
    return 1 / 12 if flow.per == "year" else 1.0


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Per-flow present-value weights, shared by the exact and the simulated calculation."""

    plan: NormalizedPlan
    discount: np.ndarray  # discount factor of month m, length horizon
    routes: dict[str, list[tuple[Flow, int, int, float]]]  # route -> (flow, first, end, pv factor)


def _prepare(plan: NormalizedPlan) -> _Prepared:
    horizon = plan.horizon_months
    discount = (1 + plan.discount_rate) ** (-np.arange(horizon) / 12)
    cumulative = np.concatenate(([0.0], np.cumsum(discount)))
    routes: dict[str, list[tuple[Flow, int, int, float]]] = {}
    for route in ROUTES:
        entries = []
        for flow in getattr(plan, route):
            first, end = _paying_months(flow, horizon)
            # Present-value factor: the sum of the discount factors of the months paid, so that a flow's
            # discounted total is amount × factor and the simulation needs no month dimension.
            factor = float(cumulative[end] - cumulative[first]) * _monthly_share(flow) if end > first else 0.0
            entries.append((flow, first, end, factor))
        routes[route] = entries
    return _Prepared(plan=plan, discount=discount, routes=routes)


def _weights(prepared: _Prepared) -> list[tuple[Flow, float]]:
    """Each flow with its contribution per euro to the net: + avoided regular cost, − the rest."""
    adjustment = prepared.plan.adjustment
    sign = {"investments": -1.0, "regular_route": adjustment, "maatwerk_route": -adjustment}
    return [(flow, sign[route] * factor) for route in ROUTES for flow, _, _, factor in prepared.routes[route]]


def _simulate(prepared: _Prepared) -> np.ndarray:
    plan = prepared.plan
    n = plan.draws
    rng = np.random.default_rng(plan.seed)
    constant = 0.0
    net = np.zeros(n)
    # The loop runs over flows, each step vectorised over all draws. Measured on the target machine this
    # beats one (draws × flows) matrix: a 10k-draw column stays in cache, a 200k-cell matrix does not.
    for flow, weight in _weights(prepared):
        # A triangular probability is drawn afresh for every draw and flow and used for that one Bernoulli
        # trial only, so "draw p, then happen with chance p" is exactly "happen with chance E[p]"
        # (P(U < p) integrated over p's density is E[p]). Sampling p would only add noise and time.
        probability = _mean(flow.probability)
        if weight == 0.0 or probability == 0.0:
            continue  # pays nothing inside the horizon, or never happens: no draws needed
        happens = rng.random(n) < probability if probability < 1.0 else None
        amount = flow.amount
        if isinstance(amount, Triangular) and not amount.degenerate:
            values = rng.triangular(amount.low, amount.mode, amount.high, size=n)
            values *= weight
            if happens is not None:
                values *= happens
            net += values
        else:
            # A fixed amount, or a triangular one with low == high (numpy refuses to draw from that).
            contribution = weight * _mean(amount)
            if happens is None:
                constant += contribution
            else:
                net += happens * contribution
    if constant:
        net += constant
    return net


def simulate_net(plan: Any) -> np.ndarray:
    """The simulated net (present value) of every draw; :func:`compute` summarises these."""
    return _simulate(_prepare(validate(plan)))


def _payers(plan: NormalizedPlan) -> list[str]:
    seen: dict[str, None] = {}
    for route in ROUTES:
        for flow in getattr(plan, route):
            seen.setdefault(flow.payer, None)
    return list(seen)


def to_decimal(value: float | int | str | Decimal, places: int = 2) -> Decimal:
    """Round half-up to ``places`` decimals (cents by default), as the Django side stores money."""
    # Going through the shortest repr rounds the number as written (2.675 → 2.68), not its binary
    # neighbour (2.67499999…), so engine output and stored Decimals agree.
    if isinstance(value, float | np.floating):
        value = repr(float(value))
    result = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return result if result != 0 else abs(result)  # no "-0.00"


def _money(value: float) -> float:
    return float(to_decimal(value))


def _ratio(value: float) -> float:
    return float(to_decimal(value, 4))


def compute(plan: Any) -> dict[str, Any]:
    """Validate ``plan`` (parsed JSON) and return the result in the contract's JSON shape, plus ``monthly``.

    ``monthly`` holds two lists of length ``horizon_months`` for the chart: the cumulative expected
    discounted cost of the regular route, and of the maatwerk route plus the investments. These are the
    costs as entered: deadweight and optimism bias only enter ``avoided``, so the curves cross at
    ``payback_month`` only when both are 0.
    """
    normalized = validate(plan)
    prepared = _prepare(normalized)
    horizon = normalized.horizon_months
    adjustment = normalized.adjustment

    totals = dict.fromkeys(ROUTES, 0.0)
    monthly = {route: np.zeros(horizon) for route in ROUTES}
    by_payer = {payer: dict.fromkeys(ROUTES, 0.0) for payer in _payers(normalized)}
    for route in ROUTES:
        for flow, first, end, factor in prepared.routes[route]:
            expected_amount = _mean(flow.probability) * _mean(flow.amount)
            totals[route] += expected_amount * factor
            by_payer[flow.payer][route] += expected_amount * factor
            if end > first:
                monthly[route][first:end] += (
                    expected_amount * _monthly_share(flow) * prepared.discount[first:end]
                )

    investment = totals["investments"]
    avoided = (totals["regular_route"] - totals["maatwerk_route"]) * adjustment
    has_investment = to_decimal(investment) > 0

    payback_month: int | None = 0
    if has_investment:
        cumulative_investment = np.cumsum(monthly["investments"])
        cumulative_avoided = np.cumsum((monthly["regular_route"] - monthly["maatwerk_route"]) * adjustment)
        reached = (cumulative_investment > 0) & (cumulative_avoided >= cumulative_investment - _HALF_CENT)
        payback_month = int(np.argmax(reached)) if reached.any() else None

    net_draws = _simulate(prepared)
    p5, p50, p95 = np.percentile(net_draws, [5, 50, 95])

    payers_out = {}
    for payer, sums in by_payer.items():
        payer_avoided = (sums["regular_route"] - sums["maatwerk_route"]) * adjustment
        payers_out[payer] = {
            "invests": _money(sums["investments"]),
            "avoided": _money(payer_avoided),
            "net": _money(payer_avoided - sums["investments"]),
        }

    return {
        "expected": {
            "investment": _money(investment),
            "regular_route": _money(totals["regular_route"]),
            "maatwerk_route": _money(totals["maatwerk_route"]),
            "avoided": _money(avoided),
            "net": _money(avoided - investment),
            "roi": _ratio(avoided / investment) if has_investment else None,
        },
        "simulation": {
            "net": {
                "mean": _money(float(net_draws.mean())),
                "p5": _money(float(p5)),
                "p50": _money(float(p50)),
                "p95": _money(float(p95)),
            },
            "p_net_positive": _ratio(np.count_nonzero(net_draws >= _HALF_CENT) / normalized.draws),
        },
        "payback_month": payback_month,
        "by_payer": payers_out,
        "monthly": {
            "regular_route": [_money(x) for x in np.cumsum(monthly["regular_route"]).tolist()],
            "maatwerk_incl_investment": [
                _money(x) for x in np.cumsum(monthly["maatwerk_route"] + monthly["investments"]).tolist()
            ],
        },
    }
