"""Read-only plan evaluation: a plan completed with the case's own additions and computed for display.

:func:`evaluate` is the one place where a plan gets the case's additions before the engine sees it (worker
time, default discount rate, default optimism bias, catalogue provenance), so the editor preview, a saved
version and the API give the same figures for the same input. :func:`version_error` says whether a stored
version can be shown at all. Nothing here writes.

Imports run one way inside the app (``tests/test_import_graph.py`` holds it)::

    engine <- evaluation <- presentation <- editor, pdf <- services <- views, api

Models, forms and queries sit beside the engine at the bottom; cli uses only the engine. This module
imports the engine and models, never presentation, services or views.
"""

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maatwerk.cases.models import Case, TimeEntry
from maatwerk.catalogue import services as catalogue
from maatwerk.catalogue.models import CostItem
from maatwerk.lib import money

from . import engine
from .models import BusinessCaseVersion

# The hourly cost of a wijkteam worker's time, counted as maatwerk investment. Setting
# MAATWERK_WORKER_HOURLY_RATE (a number of euros) replaces the default; the editor can change it per case.
DEFAULT_HOURLY_RATE = Decimal("75.00")
HOURLY_RATE_SOURCE = gettext_lazy(
    "Indication (grade C): the all-in hourly cost of a neighbourhood-team worker — salary under the "
    "collective agreement for social work (CAO Sociaal Werk, scale 8-9) plus employer's costs and overhead, "
    "about € 75. "
    "Use your own organisation's rate if you know it."
)
# Flows the service adds itself carry this code, so a plan sent back in (API) is not counted twice.
WORKER_FLOW_CODE = "WIJKTEAM_INZET"
WORKER_FLOW_PAYER = "gemeente"

DEFAULT_HORIZON_MONTHS = 36
# Discount rate for public investments ("discontovoet", Werkgroep discontovoet 2020: 2,25 % risk-free).
DEFAULT_DISCOUNT_RATE = 0.0225
# Optimism bias by the weakest confidence grade used (after the HM Treasury Green Book's practice of
# marking up uncertain estimates): an official figure needs none, a researched one some, an indication most.
OPTIMISM_BIAS_BY_GRADE = {"A": 0.0, "B": 0.15, "C": 0.40}
GRADE_ORDER = "ABC"


def default_hourly_rate() -> Decimal:
    return Decimal(str(getattr(settings, "MAATWERK_WORKER_HOURLY_RATE", DEFAULT_HOURLY_RATE)))


def case_hours(case: Case) -> Decimal:
    return TimeEntry.objects.filter(case=case).aggregate(total=Sum("hours"))["total"] or Decimal(0)


@dataclass(frozen=True)
class BiasDefault:
    """The optimism bias the plan gets when none is given, and why."""

    grade: str | None  # weakest confidence grade among the catalogue items used; None if none used
    value: float
    applied: bool  # True when the plan did not set its own optimism bias

    @property
    def percent(self) -> Decimal:
        return engine.to_decimal(self.value * 100, 0)


@dataclass
class Evaluation:
    plan: dict  # what the engine computed, with the case's additions
    result: dict
    sources: dict[str, dict] = field(default_factory=dict)
    hours: Decimal = Decimal(0)
    hourly_rate: Decimal = DEFAULT_HOURLY_RATE
    worker_cost: Decimal = Decimal(0)
    bias: BiasDefault | None = None
    # The simulated net of every draw (numpy array) that `result` summarises; `engine.net_summary` input.
    draws: Any = None


def sources_for(plan: Mapping, municipality_id: int | None) -> dict[str, dict]:
    """Where each catalogue figure of `plan` comes from (code → name, grade, amount, year, source)."""
    codes = {
        flow.get("cost_code")
        for route in engine.ROUTES
        for flow in (plan.get(route) or [])
        if isinstance(flow, Mapping) and isinstance(flow.get("cost_code"), str)
    } - {WORKER_FLOW_CODE}
    items = list(CostItem.objects.filter(code__in=codes))
    prices = catalogue.prices_for(items, municipality_id) if items else {}
    out = {}
    for item in items:
        price = prices[item.code]
        out[item.code] = {
            "name": item.name_nl,
            "confidence": item.confidence,
            "per": item.per,
            "amount": str(price.amount if price.amount is not None else price.base_amount),
            "year": price.year if price.amount is not None else price.base_year,
            "base_year": price.base_year,
            "source_url": price.source_url,
            "note": price.note,
            "own_amount": price.is_override,
        }
    return out


def bias_default(sources: Mapping[str, Mapping]) -> tuple[str | None, float]:
    grades = [s["confidence"] for s in sources.values() if s.get("confidence") in OPTIMISM_BIAS_BY_GRADE]
    if not grades:
        return None, 0.0
    weakest = max(grades, key=GRADE_ORDER.index)
    return weakest, OPTIMISM_BIAS_BY_GRADE[weakest]


# Worst last: a grade outside the catalogue's own (A-C) counts as weaker than all of them.
WEAKEST_ORDER = "ABCD"


def weakest_grade(sources: Mapping[str, Mapping]) -> str:
    """The worst confidence grade (A best) of the catalogue items in a version's ``sources``; "" if none."""
    grades = [s.get("confidence") for s in sources.values() if isinstance(s, Mapping)]
    grades = [g for g in grades if isinstance(g, str) and g in WEAKEST_ORDER and g]
    return max(grades, key=WEAKEST_ORDER.index) if grades else ""


def evaluate(case: Case, plan: Any, *, hourly_rate: Decimal | None = None) -> Evaluation:
    """Complete ``plan`` for ``case`` and compute it. Reads only; raises :class:`engine.PlanError`.

    Added: the "Inzet wijkteam" investment (hours registered on the case × hourly rate), the default
    horizon and discount rate when absent, and the optimism bias by the weakest catalogue grade when
    ``optimism_bias`` is absent or null.
    """
    if not isinstance(plan, Mapping):
        raise engine.PlanError("plan", "moet een plan met velden zijn (een JSON-object)")
    # Nothing below may walk the plan recursively (deepcopy) before its depth is known to be sane.
    engine.check_depth(plan)
    plan = dict(plan)
    if plan.get("horizon_months") is None:
        plan["horizon_months"] = DEFAULT_HORIZON_MONTHS
    if plan.get("discount_rate") is None:
        plan["discount_rate"] = DEFAULT_DISCOUNT_RATE

    investments = plan.get("investments")
    if investments is None:
        investments = []
    if isinstance(investments, list):
        investments = [
            f for f in investments if not (isinstance(f, Mapping) and f.get("cost_code") == WORKER_FLOW_CODE)
        ]
    plan["investments"] = investments
    # The plan as given is checked before the worker's time is put in front of the investments, so an
    # error names the caller's own flow (investments[0] is the first row of the editor, not the hours).
    engine.validate({**plan, "optimism_bias": plan.get("optimism_bias") or 0.0})
    plan = copy.deepcopy(plan)
    investments = plan["investments"]
    rate = hourly_rate_or_error(default_hourly_rate() if hourly_rate is None else hourly_rate)
    hours = case_hours(case)
    worker_cost = engine.to_decimal(hours * rate)
    if worker_cost > money.MAX_AMOUNT:
        raise engine.PlanError(
            "hourly_rate",
            f"maakt met de {_num(hours)} geregistreerde uren meer dan {money.format_eur(money.MAX_AMOUNT)}",
        )
    if worker_cost > 0 and isinstance(investments, list):
        investments.insert(
            0,
            {
                "label": _("Neighbourhood team time (%(hours)s h × € %(rate)s)")
                % {"hours": _num(hours), "rate": _num(rate)},
                "amount": float(worker_cost),
                "month": 0,
                "payer": WORKER_FLOW_PAYER,
                "cost_code": WORKER_FLOW_CODE,
            },
        )
    plan["investments"] = investments

    sources = sources_for(plan, case.municipality_id)
    grade, default = bias_default(sources)
    applied = plan.get("optimism_bias") is None
    if applied:
        plan["optimism_bias"] = default
    result, draws = engine.compute_with_draws(plan)
    return Evaluation(
        plan=plan,
        result=result,
        draws=draws,
        sources=sources,
        hours=hours,
        hourly_rate=rate,
        worker_cost=worker_cost,
        bias=BiasDefault(grade=grade, value=default, applied=applied),
    )


def hourly_rate_or_error(value) -> Decimal:
    """The hourly rate as a Decimal in whole cents, within 0 … MAX_HOURLY_RATE; else a PlanError."""
    try:
        return money.parse_amount(value, minimum=Decimal(0), maximum=money.MAX_HOURLY_RATE)
    except money.AmountError as exc:
        message = {
            "below": "mag niet negatief zijn",
            "above": f"mag hoogstens {money.format_eur(money.MAX_HOURLY_RATE)} zijn",
            "decimals": "mag hoogstens twee decimalen hebben",
        }.get(exc.code, "moet een bedrag in euro's zijn")
        raise engine.PlanError("hourly_rate", message) from None


def _num(value: Decimal) -> str:
    """Hours and rates in labels: Dutch decimal comma, no trailing zeros."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


# --- stored versions ---------------------------------------------------------------------------------


def version_error(version: BusinessCaseVersion | None) -> engine.PlanError | None:
    """Why a stored version cannot be shown (the engine's error naming the field), or None when it can.

    Versions stored before amounts were bounded may hold a plan or result with absurd amounts (1e11, or
    more than any column holds). Every page that shows a version asks this first (through
    :func:`presentation.version_problem`, which words it) and then says that the plan must be corrected,
    instead of failing on the figures.
    """
    if version is None:
        return None
    try:
        engine.check_depth(version.plan)
        engine.validate(version.plan)
        engine.check_result(version.result)
    except engine.PlanError as exc:
        return exc
    return None


def rendement_snapshot(version: BusinessCaseVersion | None) -> dict:
    if version is None:
        return {}
    if version_error(version) is not None:
        # No figures from a version whose amounts are not valid; the triangle says so instead.
        return {"version": version.number, "invalid": True}
    net = version.result["simulation"]["net"]
    return {
        "version": version.number,
        "investment": str(version.investment),
        "net": str(version.expected_net),
        "roi": str(version.roi) if version.roi is not None else None,
        "p_net_positive": str(version.p_net_positive),
        "p5": str(engine.to_decimal(net["p5"])),
        "p95": str(engine.to_decimal(net["p95"])),
        "payback_month": version.result.get("payback_month"),
    }
