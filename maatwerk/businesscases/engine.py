"""Business-case engine: what a maatwerk plan costs and what it avoids, with uncertainty.

Pure module (stdlib, numpy and the Django-free maatwerk.lib.money) implementing the contract in
DESIGN.md, "Business-case engine". Views, services and the command line call :func:`compute`; the Django
side converts the float results at its edge with :func:`to_decimal`.

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
  probability), triangular amounts are drawn by their inverse CDF from the same uniform number, and the
  net is computed the same way as the expected net. A triangular probability is not sampled separately:
  drawing ``p`` and then a trial with chance ``p`` gives exactly a trial with chance ``mean(p)``. How the
  draws are made fast, and to what precision, is described in ``_simulate``.
  ``p_net_positive`` counts draws whose net is positive to the cent (``net >= 0.005``). Percentiles use
  numpy's default linear interpolation.
* Output money is rounded half-up to cents, ``roi`` and ``p_net_positive`` to 4 decimals.
* Bounds, so that no input can overflow or hold a worker: every point of an amount lies within
  ``±MAX_AMOUNT`` (the project's one maximum for money; investments from 0), months within the largest
  horizon, draws × flows at most ``MAX_SIMULATION_CELLS``, and the totals within what the stored columns
  hold (``MAX_TOTAL``). :func:`parse_json` reads a plan's text without NaN, Infinity or deep nesting.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from maatwerk.lib import money

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_PAYER",
    "DEFAULT_SEED",
    "MAX_AMOUNT",
    "MAX_DEPTH",
    "MAX_DRAWS",
    "MAX_FLOWS",
    "MAX_HORIZON_MONTHS",
    "MAX_SIMULATION_CELLS",
    "MAX_TOTAL",
    "PERIODS",
    "ROUTES",
    "Flow",
    "NormalizedPlan",
    "PlanError",
    "Triangular",
    "check_depth",
    "check_result",
    "compute",
    "compute_with_draws",
    "net_summary",
    "parse_json",
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
# Draws × flows that are simulated: the largest plan (3 × 200 uncertain flows) may take 100,000 draws,
# about a third of a second on one core; a million draws of 600 flows would hold a web worker ten times as
# long for no visible gain in precision.
MAX_SIMULATION_CELLS = 60_000_000
# The project's one maximum for an amount (maatwerk.lib.money), here as the engine's float. It bounds
# every point of a flow's amount, so no sum over flows and months can overflow to infinity.
MAX_AMOUNT = float(money.MAX_AMOUNT)
# What the totals may reach: they are stored in DecimalField(max_digits=12, decimal_places=2) columns.
MAX_TOTAL = float(money.MAX_STORED)
# A plan is at most four levels deep (plan → route → flow → triangular amount); JSON nested deeper is
# refused before anything walks it recursively (copying, storing, rendering).
MAX_DEPTH = 8
# A body may wrap the plan in an envelope ({"plan": …}): a little room for that.
_MAX_JSON_DEPTH = MAX_DEPTH + 2
# Seeds are stored in JSON and handed to numpy; 64 bits is more than enough to choose one.
MAX_SEED = 2**63 - 1
PERIODS = ("once", "month", "year")
ROUTES = ("investments", "regular_route", "maatwerk_route")

_TOP_LEVEL_KEYS = frozenset(
    {"horizon_months", "discount_rate", "draws", "seed", "deadweight", "optimism_bias", *ROUTES}
)
_FLOW_KEYS = frozenset(
    {"label", "amount", "per", "start_month", "month", "months", "probability", "payer", "cost_code"}
)
_TRIANGULAR_KEYS = ("low", "mode", "high")
_MAX_AMOUNT_MSG = f"mag hoogstens {money.format_eur(money.MAX_AMOUNT)} zijn"
_MAX_TOTAL_MSG = (
    f"telt op tot meer dan {money.format_eur(money.MAX_STORED)}; controleer bedragen en looptijden"
)
_MIN_AMOUNT_MSG = f"mag niet lager zijn dan {money.format_eur(-money.MAX_AMOUNT)}"

# Messages a social worker reads (the editor and the API name the field in words before them, see
# presentation.plan_error_text); the API's own keys stay in brackets for whoever writes the JSON.
_SPREAD_KEYS_MSG = (
    "hoort niet bij een spreiding; die heeft alleen een laagste, waarschijnlijkste en hoogste waarde "
    "(low, mode, high)"
)
_SPREAD_REQUIRED_MSG = "is verplicht bij een spreiding: geef de laagste, waarschijnlijkste en hoogste waarde"
_SPREAD_ORDER_MSG = (
    "de laagste waarde mag niet hoger zijn dan de waarschijnlijkste, en die niet hoger dan de hoogste"
)
_VALUE_MSG = (
    "moet een getal zijn, of een spreiding met een laagste, waarschijnlijkste en hoogste waarde "
    "(low, mode, high)"
)
_PER_MSG = "moet eenmalig, per maand of per jaar zijn ('once', 'month' of 'year')"
_MONTH_MSG = "verschilt van de startmaand; geef er maar één (month of start_month)"
_MONTHS_MSG = "kan alleen bij een bedrag per maand of per jaar, niet bij een eenmalig bedrag"


def _too_deep(limit: int) -> str:
    return f"is te diep genest: hoogstens {limit} lagen binnen elkaar"


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
    if type(value) is float and math.isfinite(value):  # the common case, without the checks below
        return value
    if not _is_number(value):
        raise PlanError(field, "moet een getal zijn")
    try:
        result = float(value)
    except OverflowError:
        raise PlanError(field, "is te groot") from None
    if not math.isfinite(result):
        raise PlanError(field, "moet een gewoon getal zijn, niet oneindig")
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
        raise PlanError(field, "moet 0 of meer en kleiner dan 1 zijn (0,25 betekent 25 %)")
    return result


def _value(
    value: Any, field: str, *, minimum: float, maximum: float, below_msg: str, above_msg: str
) -> Value:
    """A number or a triangular {low, mode, high}, every point within [minimum, maximum]."""
    # The common case first, without the type machinery below (a huge int still takes the long way).
    if type(value) is float or (type(value) is int and -(2**53) <= value <= 2**53):
        if minimum <= value <= maximum:  # False for NaN; infinities are outside any finite bound
            return float(value)

    def check(point: float, point_field: str) -> None:
        if point < minimum:
            raise PlanError(point_field, below_msg)
        if point > maximum:
            raise PlanError(point_field, above_msg)

    if isinstance(value, Mapping):
        for key in value:
            if key not in _TRIANGULAR_KEYS:
                raise PlanError(f"{field}.{key}", _SPREAD_KEYS_MSG)
        points = []
        for key in _TRIANGULAR_KEYS:
            if key not in value or value[key] is None:
                raise PlanError(f"{field}.{key}", _SPREAD_REQUIRED_MSG)
            points.append(_number(value[key], f"{field}.{key}"))
        low, mode, high = points
        if not low <= mode <= high:
            raise PlanError(field, _SPREAD_ORDER_MSG)
        for key, point in zip(_TRIANGULAR_KEYS, points, strict=True):
            check(point, f"{field}.{key}")
        return Triangular(low, mode, high)
    if not _is_number(value):
        raise PlanError(field, _VALUE_MSG)
    result = _number(value, field)
    check(result, field)
    return result


def _optional_text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PlanError(field, "moet tekst zijn")
    return value


def _flow(raw: Any, field: str, *, investment: bool) -> Flow:
    if type(raw) is not dict and not isinstance(raw, Mapping):
        raise PlanError(field, "moet een regel met velden zijn (een JSON-object)")
    for key in raw:
        if key not in _FLOW_KEYS:
            raise PlanError(f"{field}.{key}", "is geen veld van een regel")

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
        minimum=0.0 if investment else -MAX_AMOUNT,
        maximum=MAX_AMOUNT,
        below_msg="mag niet negatief zijn bij een investering" if investment else _MIN_AMOUNT_MSG,
        above_msg=_MAX_AMOUNT_MSG,
    )
    probability: Value = 1.0
    if get("probability") is not None:
        probability = _value(
            get("probability"),
            f"{field}.probability",
            minimum=0.0,
            maximum=1.0,
            below_msg="moet tussen 0 en 1 liggen (0,9 betekent 90 %)",
            above_msg="moet tussen 0 en 1 liggen (0,9 betekent 90 %)",
        )

    per = get("per")
    if per is None:
        per = "once"
    if per not in PERIODS:
        raise PlanError(f"{field}.per", _PER_MSG)

    start_month = 0
    if get("start_month") is not None:
        start_month = _integer(
            get("start_month"), f"{field}.start_month", minimum=0, maximum=MAX_HORIZON_MONTHS
        )
    if get("month") is not None:
        month = _integer(get("month"), f"{field}.month", minimum=0, maximum=MAX_HORIZON_MONTHS)
        if get("start_month") is not None and month != start_month:
            raise PlanError(f"{field}.month", _MONTH_MSG)
        start_month = month

    months = None
    if get("months") is not None:
        if per == "once":
            # A one-off amount with a duration is almost always a monthly amount entered wrongly; silently
            # paying it once would understate the case by a factor `months`.
            raise PlanError(f"{field}.months", _MONTHS_MSG)
        months = _integer(get("months"), f"{field}.months", minimum=1, maximum=MAX_HORIZON_MONTHS)

    payer = get("payer")
    if payer is None:
        payer = DEFAULT_PAYER
    if not isinstance(payer, str) or not payer.strip():
        raise PlanError(f"{field}.payer", "moet ingevuld zijn")

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
    if type(raw) is not list and (isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Sequence)):
        raise PlanError(field, "moet een lijst van regels zijn")
    if len(raw) > MAX_FLOWS:
        raise PlanError(field, f"mag hoogstens {MAX_FLOWS} regels hebben")
    return tuple(_flow(item, f"{field}[{i}]", investment=investment) for i, item in enumerate(raw))


def validate(plan: Any) -> NormalizedPlan:
    """Check a plan (parsed JSON) and return it normalised; raises :class:`PlanError` naming the field."""
    if isinstance(plan, NormalizedPlan):
        return plan
    if not isinstance(plan, Mapping):
        raise PlanError("plan", "moet een plan met velden zijn (een JSON-object)")
    for key in plan:
        if key not in _TOP_LEVEL_KEYS:
            raise PlanError(str(key), "is geen veld van een plan")

    if plan.get("horizon_months") is None:
        raise PlanError("horizon_months", "is verplicht")
    horizon = _integer(plan["horizon_months"], "horizon_months", minimum=1, maximum=MAX_HORIZON_MONTHS)

    def optional(key: str, default: Any) -> Any:
        value = plan.get(key)
        return default if value is None else value

    discount_rate = _fraction(optional("discount_rate", 0.0), "discount_rate")
    draws = _integer(optional("draws", DEFAULT_DRAWS), "draws", minimum=1, maximum=MAX_DRAWS)
    # numpy seeds must be non-negative.
    seed = _integer(optional("seed", DEFAULT_SEED), "seed", minimum=0, maximum=MAX_SEED)
    routes = {route: _flows(plan.get(route), route, investment=route == "investments") for route in ROUTES}
    flows = sum(len(route_flows) for route_flows in routes.values())
    if flows * draws > MAX_SIMULATION_CELLS:
        limit = max(1, MAX_SIMULATION_CELLS // flows)
        raise PlanError("draws", f"mag bij {flows} regels hoogstens {limit} zijn")
    return NormalizedPlan(
        horizon_months=horizon,
        discount_rate=discount_rate,
        draws=draws,
        seed=seed,
        **routes,
        deadweight=_fraction(optional("deadweight", 0.0), "deadweight"),
        optimism_bias=_fraction(optional("optimism_bias", 0.0), "optimism_bias"),
    )


def check_depth(value: Any, field: str = "plan", limit: int = MAX_DEPTH) -> None:
    """Refuse JSON-like data nested deeper than ``limit``, without recursion (so without RecursionError)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            raise PlanError(field, _too_deep(limit))
        stack.extend((child, depth + 1) for child in children)


def parse_json(text: str | bytes, field: str = "plan") -> Any:
    """Parse a plan sent as JSON text, with the engine's limits; raises :class:`PlanError` naming ``field``.

    Python's json accepts ``NaN`` and ``Infinity``, which are not JSON and no amount, and recurses once per
    level of nesting: a body nested 100,000 deep would end in a RecursionError. Both are refused here, so
    every caller (API, command line) answers the same clear error.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise PlanError(field, "bevat tekens die geen geldige tekst zijn (UTF-8)") from None

    def refuse_constant(name: str) -> float:
        raise PlanError(field, f"bevat {name}; dat is geen getal")

    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        raise PlanError(field, _too_deep(_MAX_JSON_DEPTH)) from None
    except json.JSONDecodeError as exc:
        raise PlanError(
            field, f"is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}: {exc.msg})"
        ) from None
    check_depth(data, field, _MAX_JSON_DEPTH)
    return data


# A figure pages may show although no column holds it (percentiles, per-payer sums, the chart): far above
# anything the bounded input can produce (600 flows × MAX_AMOUNT × 600 months ≈ 3.6e12), far below where
# Decimal arithmetic at 28 digits would stop being exact to the cent.
_MAX_SHOWN = 1e15


def _figure(value: Any, field: str, limit: float, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not _is_number(value) or not math.isfinite(value) or abs(value) > limit:
        raise PlanError(field, "is geen geldig bedrag")


def check_result(result: Any) -> None:
    """Check a stored result of :func:`compute` for figures the pages cannot show; PlanError naming one.

    Results are stored as they were computed. One stored before the input was bounded may hold amounts
    beyond any column (or, on SQLite, infinities); reading it must not break a page.
    """
    try:
        expected, simulation = result["expected"], result["simulation"]
        for key in ("investment", "regular_route", "maatwerk_route", "avoided", "net"):
            _figure(expected[key], f"expected.{key}", MAX_TOTAL)
        _figure(expected.get("roi"), "expected.roi", _MAX_SHOWN, optional=True)
        for key in ("mean", "p5", "p50", "p95"):
            _figure(simulation["net"][key], f"simulation.net.{key}", _MAX_SHOWN)
        _figure(simulation["p_net_positive"], "simulation.p_net_positive", 1.0)
        for payer, sums in result["by_payer"].items():
            for key in ("invests", "avoided", "net"):
                _figure(sums[key], f"by_payer.{payer}.{key}", _MAX_SHOWN)
        for key, series in (result.get("monthly") or {}).items():
            if len(series) > MAX_HORIZON_MONTHS:
                raise PlanError(f"monthly.{key}", "heeft meer maanden dan een plan kan hebben")
            for month, value in enumerate(series):
                _figure(value, f"monthly.{key}[{month}]", _MAX_SHOWN)
    except (KeyError, TypeError, AttributeError):
        raise PlanError("result", "is niet volledig opgeslagen") from None


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


# The simulation draws 32-bit uniform integers straight from the bit generator and does the rest with a
# handful of whole-array operations on (flows × draws) blocks. SFC64 is one of numpy's generators for
# simulations; its raw output is about twice as fast as PCG64's floats.
_SPAN = 2**32
# Largest block of flows × draws handled at once: 2**18 cells keep the work arrays near the CPU (2 MiB of
# float64, 1 MiB per 32-bit array) and the memory bounded for the largest plan the validator allows.
_BLOCK_CELLS = 2**18
# Work arrays are kept per thread and reused: allocating fresh multi-megabyte arrays for every call costs
# more in page faults than the arithmetic done in them (measured: about half the simulation time).
_workspace = threading.local()


def _work_array(name: str, rows: int, columns: int, dtype: type) -> np.ndarray:
    size = rows * columns
    array = getattr(_workspace, name, None)
    if array is None or array.size < size:
        array = np.empty(size, dtype)
        setattr(_workspace, name, array)
    return array[:size].reshape(rows, columns)


def _simulate(prepared: _Prepared) -> np.ndarray:
    """The net (present value) of every draw.

    Per draw every flow happens or not, and a triangular amount takes a value, from **one** uniform
    32-bit integer ``u`` per flow: the flow happens when ``u ≤ top`` (chance ``(top + 1) / 2**32``, within
    2**-33 of its probability), and then ``v = u / (p · 2**32)`` is itself uniform on [0, 1) and goes
    through the triangular inverse CDF. With ``c = (mode − low) / (high − low)``, ``A = (high − low)(mode −
    low)`` and ``B = (high − low)(high − mode)`` that inverse is ``low + √(vA)`` left of ``c`` and ``high −
    √((1 − v)B)`` right of it, which is branch-free as

        x = low + (high − mode) + √(min(v, c)·A) − √((1 − max(v, c))·B)

    (left of ``c`` the last root is ``high − mode``, right of it the first is ``mode − low``). The constant
    ``low + high − mode`` is added to happening draws in double precision together with the fixed amounts;
    the two roots are computed in single precision (a draw is exact to about 7 significant digits of the
    triangle's width) and summed in double. A triangular probability is not drawn separately: drawing
    ``p`` and then a trial with chance ``p`` is exactly a trial with chance ``E[p]`` (P(U < p) integrated
    over p's density is E[p]), so sampling ``p`` would only add noise and time.

    The stream is fixed by the seed and the plan (block sizes depend only on the number of random flows),
    so a plan's result is reproducible.
    """
    plan = prepared.plan
    draws = plan.draws
    constant = 0.0
    fixed: list[tuple[int, float]] = []  # (top, weighted amount): a fixed amount that may not happen
    triangular: list[tuple[int, float, float, Triangular]] = []  # (top, probability, weight, amount)
    for flow, weight in _weights(prepared):
        probability = _mean(flow.probability)
        if weight == 0.0 or probability == 0.0:
            continue  # pays nothing inside the horizon, or never happens: no draws needed
        amount = flow.amount
        drawn = isinstance(amount, Triangular) and not amount.degenerate
        if not drawn and probability >= 1.0:
            # A certain fixed amount, or a triangular one with low == high.
            constant += weight * _mean(amount)
            continue
        top = min(round(probability * _SPAN), _SPAN) - 1
        if top < 0:
            continue  # a chance below 2**-33: never happens at this resolution
        if drawn:
            triangular.append((top, probability, weight, amount))
        else:
            fixed.append((top, weight * _mean(amount)))

    net = np.full(draws, constant)
    rows = len(fixed) + len(triangular)
    if not rows:
        return net
    first_triangular = len(fixed)

    def column(values: list[float] | list[int], dtype: type) -> np.ndarray:
        return np.array(values, dtype=dtype)[:, np.newaxis]

    tops = column([top for top, _ in fixed] + [top for top, *_ in triangular], np.uint32)
    # What a happening draw adds in double precision: the fixed amount, or the triangle's constant part.
    happen_value = np.array(
        [value for _, value in fixed] + [w * (a.low + a.high - a.mode) for _, _, w, a in triangular]
    )
    tri_tops = tops[first_triangular:]
    # Given that the flow happens, u / span is uniform on [0, 1).
    shapes = [(top, p * _SPAN, a) for top, p, _, a in triangular]
    mode_tops = column(
        [min(round((a.mode - a.low) / (a.high - a.low) * span), top) for top, span, a in shapes], np.uint32
    )
    scale_left = column([(a.high - a.low) * (a.mode - a.low) / span for _, span, a in shapes], np.float32)
    scale_right = column([(a.high - a.low) * (a.high - a.mode) / span for _, span, a in shapes], np.float32)
    tri_weights = np.array([w for _, _, w, _ in triangular])
    zeros = np.zeros_like(mode_tops)

    bit_generator = np.random.SFC64(plan.seed)
    block = max(1, min(draws, _BLOCK_CELLS // rows))
    n_tri = len(triangular)
    happens_all = _work_array("happens", rows, block, np.float64)
    integers_all = _work_array("integers", n_tri, block, np.uint32)
    left_all = _work_array("left", n_tri, block, np.float32)
    right_all = _work_array("right", n_tri, block, np.float32)
    for start in range(0, draws, block):
        size = min(block, draws - start)
        if size == block:
            happens, integers, left, right = happens_all, integers_all, left_all, right_all
        else:  # the last, shorter block: contiguous views of the right shape
            happens, integers, left, right = (
                array.ravel()[: array.shape[0] * size].reshape(array.shape[0], size)
                for array in (happens_all, integers_all, left_all, right_all)
            )
        uniform = bit_generator.random_raw((rows * size + 1) // 2).view(np.uint32)[: rows * size]
        uniform = uniform.reshape(rows, size)
        np.less_equal(uniform, tops, out=happens)
        out = net[start : start + size]
        out += happen_value @ happens
        if n_tri:
            u = uniform[first_triangular:]
            np.clip(u, zeros, mode_tops, out=integers)  # min(v, c) · span; measured faster than np.minimum
            np.multiply(integers, scale_left, out=left, dtype=np.float32)
            np.sqrt(left, out=left)
            np.clip(u, mode_tops, tri_tops, out=integers)
            np.subtract(tri_tops, integers, out=integers)  # (1 − max(v, c)) · span, never negative
            np.multiply(integers, scale_right, out=right, dtype=np.float32)
            np.sqrt(right, out=right)
            left -= right
            # Mask the draws in which the flow does not happen, in double precision, then weigh and sum.
            masked = happens[first_triangular:]
            np.multiply(masked, left, out=masked)
            out += tri_weights @ masked
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
    # The project's one float-to-Decimal rule (maatwerk.lib.money): through the shortest repr, so a number
    # is rounded as written (2.675 → 2.68), not as its binary neighbour (2.67499999…). A numpy float is made
    # a Python float first: its repr is "np.float64(…)".
    if isinstance(value, np.floating):
        value = float(value)
    result = money.to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return result if result != 0 else abs(result)  # no "-0.00"


def _percentiles(values: np.ndarray, percents: Sequence[float]) -> list[float]:
    """``np.percentile(values, percents)`` (linear interpolation), from one partial sort.

    The same arithmetic as numpy's default method, written out because numpy's general machinery costs
    more than the partial sort itself at 10,000 draws.
    """
    n = values.size
    positions = [percent / 100 * (n - 1) for percent in percents]
    below = [math.floor(position) for position in positions]
    ordered = np.partition(values, sorted({min(k, n - 1) for low in below for k in (low, low + 1)}))
    result = []
    for position, low in zip(positions, below, strict=True):
        a, b = float(ordered[low]), float(ordered[min(low + 1, n - 1)])
        share = position - low
        difference = b - a
        result.append(b - difference * (1 - share) if share >= 0.5 else a + difference * share)
    return result


def _cents(values: Sequence[float] | np.ndarray, places: int = 2) -> list[float]:
    """``float(to_decimal(x, places))`` for every value, vectorised.

    Away from a tie, half-up rounding of the value as written equals rounding its binary value, which numpy
    does for the whole array at once. A value written as a tie (2.675) is stored a hair to either side of it,
    and scaling it by 100 rounds once more (errors of about 10**-16 of the value); every value whose scaled
    fraction lies within 10**-12 of the value of one half goes through :func:`to_decimal`, which decides as
    written. So do infinities and NaN.
    """
    values = np.asarray(values, dtype=float)
    scale = 10.0**places
    scaled = np.abs(values * scale)
    result = (np.copysign(np.floor(scaled + 0.5), values) / scale + 0.0).tolist()  # + 0.0: no -0.0
    fraction = scaled - np.floor(scaled)
    unsure = ~(np.abs(fraction - 0.5) > 1e-12 * (1.0 + scaled))  # also catches inf and nan
    for i in np.flatnonzero(unsure).tolist():
        result[i] = float(to_decimal(float(values[i]), places))
    return result


def _ratio(value: float) -> float:
    return float(to_decimal(value, 4))


def compute(plan: Any) -> dict[str, Any]:
    """Validate ``plan`` (parsed JSON) and return the result in the contract's JSON shape, plus ``monthly``.

    See :func:`compute_with_draws` for the same result together with the simulated net of every draw.

    ``monthly`` holds two lists of length ``horizon_months`` for the chart: the cumulative expected
    discounted cost of the regular route, and of the maatwerk route plus the investments. These are the
    costs as entered: deadweight and optimism bias only enter ``avoided``, so the curves cross at
    ``payback_month`` only when both are 0.
    """
    return compute_with_draws(plan)[0]


def compute_with_draws(plan: Any) -> tuple[dict[str, Any], np.ndarray]:
    """:func:`compute`'s result and the simulated net (present value) of every draw it summarises, from one
    simulation: what a saved version keeps as :func:`net_summary` without simulating twice."""
    normalized = validate(plan)
    prepared = _prepare(normalized)
    horizon = normalized.horizon_months
    adjustment = normalized.adjustment

    totals = dict.fromkeys(ROUTES, 0.0)
    by_payer = {payer: dict.fromkeys(ROUTES, 0.0) for payer in _payers(normalized)}
    monthly = {}
    for route in ROUTES:
        # Expected amount per month before discounting, as steps: + where a flow starts, − where it ends.
        steps = [0.0] * (horizon + 1)
        for flow, first, end, factor in prepared.routes[route]:
            expected_amount = _mean(flow.probability) * _mean(flow.amount)
            totals[route] += expected_amount * factor
            by_payer[flow.payer][route] += expected_amount * factor
            if end > first:
                steps[first] += expected_amount * _monthly_share(flow)
                steps[end] -= expected_amount * _monthly_share(flow)
        monthly[route] = np.cumsum(steps[:horizon]) * prepared.discount

    investment = totals["investments"]
    avoided = (totals["regular_route"] - totals["maatwerk_route"]) * adjustment
    # Every amount is bounded, but hundreds of them over hundreds of months can still add up to more than
    # the columns that store the totals hold; say so instead of storing what cannot be read back.
    if max(abs(investment), abs(avoided), abs(avoided - investment), *map(abs, totals.values())) > MAX_TOTAL:
        route = max(ROUTES, key=lambda name: abs(totals[name]))
        raise PlanError(route, _MAX_TOTAL_MSG)
    has_investment = to_decimal(investment) > 0

    payback_month: int | None = 0
    if has_investment:
        cumulative_investment = np.cumsum(monthly["investments"])
        cumulative_avoided = np.cumsum((monthly["regular_route"] - monthly["maatwerk_route"]) * adjustment)
        reached = (cumulative_investment > 0) & (cumulative_avoided >= cumulative_investment - _HALF_CENT)
        payback_month = int(np.argmax(reached)) if reached.any() else None

    net_draws = _simulate(prepared)
    p5, p50, p95 = _percentiles(net_draws, (5, 50, 95))

    payer_sums = []
    for sums in by_payer.values():
        payer_avoided = (sums["regular_route"] - sums["maatwerk_route"]) * adjustment
        payer_sums += [sums["investments"], payer_avoided, payer_avoided - sums["investments"]]
    # One rounding call for every euro figure: the chart alone has 2 × horizon of them.
    cents = _cents(
        [
            investment,
            totals["regular_route"],
            totals["maatwerk_route"],
            avoided,
            avoided - investment,
            net_draws.mean(),
            p5,
            p50,
            p95,
            *payer_sums,
            *np.cumsum(monthly["regular_route"]),
            *np.cumsum(monthly["maatwerk_route"] + monthly["investments"]),
        ]
    )
    headline, cents = cents[:9], cents[9:]
    payers_out = {}
    for i, payer in enumerate(by_payer):
        invests, payer_avoided, payer_net = cents[3 * i : 3 * i + 3]
        payers_out[payer] = {"invests": invests, "avoided": payer_avoided, "net": payer_net}
    chart = cents[3 * len(by_payer) :]

    result = {
        "expected": {
            "investment": headline[0],
            "regular_route": headline[1],
            "maatwerk_route": headline[2],
            "avoided": headline[3],
            "net": headline[4],
            "roi": _ratio(avoided / investment) if has_investment else None,
        },
        "simulation": {
            "net": {"mean": headline[5], "p5": headline[6], "p50": headline[7], "p95": headline[8]},
            "p_net_positive": _ratio(np.count_nonzero(net_draws >= _HALF_CENT) / normalized.draws),
        },
        "payback_month": payback_month,
        "by_payer": payers_out,
        "monthly": {"regular_route": chart[:horizon], "maatwerk_incl_investment": chart[horizon:]},
    }
    return result, net_draws


def net_summary(draws: np.ndarray, quantiles: int) -> dict[str, Any]:
    """The simulated net as ``quantiles`` equally likely values and its spread, for the dashboards.

    ``net_draws``: the quantiles of ``draws`` at the midpoints ``(i + 0.5) / quantiles`` (numpy's default
    linear interpolation), rounded to cents; ``net_var`` and ``net_m3``: the variance and the third
    central moment of the draws themselves (population formulas, divided by the number of draws), so that
    sums over many business cases add up exactly where the rounded quantiles would not.
    """
    draws = np.asarray(draws, dtype=float)
    if quantiles < 1:
        raise ValueError("quantiles must be at least 1")
    if draws.size == 0:
        return {"net_draws": [], "net_var": None, "net_m3": None}
    points = (np.arange(quantiles) + 0.5) / quantiles
    deviations = draws - draws.mean()
    return {
        "net_draws": _cents(np.quantile(draws, points)),
        "net_var": float(np.mean(deviations**2)),
        "net_m3": float(np.mean(deviations**3)),
    }
