"""Time the business-case engine against a plain-Python Monte Carlo of the same plan.

Run from the repository root: ``python bench/bench_engine.py [--reps N] [--python-reps N]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# Runnable as a plain script from a checkout, without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from maatwerk.businesscases import engine  # noqa: E402

DRAWS = 10_000
HORIZON = 36
TARGET_MS = 5.0
TARGET_SPEEDUP = 50


def tri(low: float, mode: float, high: float) -> dict[str, float]:
    return {"low": low, "mode": mode, "high": high}


def build_plan() -> dict[str, Any]:
    """20 flows: 4 investments, 10 regular-route and 6 maatwerk-route flows; once/month/year mixed,
    12 triangular amounts, 5 triangular and 8 fixed uncertain probabilities."""
    investments = [
        {"label": "Kinderopvang", "amount": tri(5500, 6500, 8000), "payer": "gemeente"},
        {"label": "Schuldhulp", "amount": 1800, "per": "month", "months": 6, "payer": "gemeente"},
        {
            "label": "Coaching",
            "amount": tri(250, 300, 400),
            "per": "month",
            "start_month": 1,
            "months": 12,
            "payer": "gemeente",
        },
        {
            "label": "Verhuiskosten",
            "amount": tri(900, 1200, 2000),
            "month": 2,
            "probability": 0.7,
            "payer": "woningcorporatie",
        },
    ]
    regular_route = [
        {
            "label": "Bijstand",
            "amount": 1283.83,
            "per": "month",
            "start_month": 2,
            "months": 24,
            "probability": tri(0.6, 0.85, 0.95),
            "payer": "gemeente",
            "cost_code": "PW_NORM_ALL_2024H1",
        },
        {
            "label": "Huisuitzetting",
            "amount": tri(6000, 8000, 12000),
            "month": 4,
            "probability": 0.3,
            "payer": "woningcorporatie",
        },
        {
            "label": "Maatschappelijke opvang",
            "amount": tri(2500, 3000, 4000),
            "per": "month",
            "start_month": 5,
            "months": 6,
            "probability": 0.25,
            "payer": "gemeente",
        },
        {
            "label": "Jeugdhulp",
            "amount": tri(20000, 30000, 45000),
            "per": "year",
            "probability": tri(0.1, 0.3, 0.5),
            "payer": "gemeente",
        },
        {
            "label": "Incasso",
            "amount": tri(300, 500, 900),
            "per": "month",
            "months": 12,
            "probability": 0.6,
            "payer": "schuldeisers",
        },
        {
            "label": "GGZ-behandeling",
            "amount": tri(8000, 12000, 20000),
            "per": "year",
            "start_month": 6,
            "probability": tri(0.2, 0.4, 0.6),
            "payer": "zorgverzekeraar",
        },
        {
            "label": "Huurachterstand",
            "amount": 2400,
            "month": 3,
            "probability": 0.5,
            "payer": "woningcorporatie",
        },
        {"label": "Huisartsbezoek", "amount": 60, "per": "month", "payer": "zorgverzekeraar"},
        {
            "label": "Toeslagherstel",
            "amount": tri(1000, 1500, 3000),
            "month": 8,
            "probability": 0.4,
            "payer": "rijk",
        },
        {
            "label": "Politie-inzet",
            "amount": tri(500, 800, 1500),
            "per": "year",
            "probability": tri(0.05, 0.1, 0.3),
            "payer": "rijk",
        },
    ]
    maatwerk_route = [
        {
            "label": "Bijstand (korter)",
            "amount": 1283.83,
            "per": "month",
            "start_month": 2,
            "months": 6,
            "probability": tri(0.7, 0.9, 1.0),
            "payer": "gemeente",
        },
        {"label": "Budgetbeheer", "amount": 120, "per": "month", "months": 12, "payer": "gemeente"},
        {
            "label": "Jeugdhulp (licht)",
            "amount": tri(3000, 5000, 9000),
            "per": "year",
            "probability": 0.3,
            "payer": "gemeente",
        },
        {"label": "Huisartsbezoek", "amount": 45, "per": "month", "payer": "zorgverzekeraar"},
        {"label": "Nazorg", "amount": 400, "month": 12, "payer": "gemeente"},
        {
            "label": "Incasso (rest)",
            "amount": tri(100, 150, 300),
            "per": "month",
            "months": 4,
            "probability": 0.5,
            "payer": "schuldeisers",
        },
    ]
    return {
        "horizon_months": HORIZON,
        "discount_rate": 0.0225,
        "draws": DRAWS,
        "seed": 42,
        "investments": investments,
        "regular_route": regular_route,
        "maatwerk_route": maatwerk_route,
        "deadweight": 0.1,
        "optimism_bias": 0.15,
    }


def pure_python_net(plan: dict[str, Any], seed: int) -> list[float]:
    """The obvious implementation: a loop over draws, and inside it a loop over flows.

    Discounting is summed once per flow up front, as the engine does, so the ratio measures vectorisation
    rather than a smarter algorithm. A triangular probability is drawn before its Bernoulli trial here.
    """
    horizon = plan["horizon_months"]
    rate = plan["discount_rate"]
    adjustment = (1 - plan["deadweight"]) * (1 - plan["optimism_bias"])
    signs = {"investments": -1.0, "regular_route": adjustment, "maatwerk_route": -adjustment}
    rng = random.Random(seed)

    def draw(value: Any) -> float:
        if isinstance(value, dict):
            return rng.triangular(value["low"], value["high"], value["mode"])  # note: (low, high, mode)
        return value

    flows = []
    for route, sign in signs.items():
        for flow in plan[route]:
            per = flow.get("per", "once")
            start = flow.get("start_month", flow.get("month", 0))
            length = 1 if per == "once" else flow.get("months", horizon)
            share = 1 / 12 if per == "year" else 1.0
            months = range(start, min(start + length, horizon))
            factor = sum((1 + rate) ** (-m / 12) for m in months) * share
            flows.append((sign * factor, flow["amount"], flow.get("probability", 1.0)))

    nets = []
    for _ in range(plan["draws"]):
        net = 0.0
        for weight, amount, probability in flows:
            if rng.random() < draw(probability):
                net += weight * draw(amount)
        nets.append(net)
    return nets


def time_ms(func: Any, reps: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(reps):
        start = time.perf_counter_ns()
        func()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="timed runs of the engine (default 200)")
    parser.add_argument("--python-reps", type=int, default=11, help="timed runs of pure Python (default 11)")
    args = parser.parse_args()

    plan = build_plan()
    flows = sum(len(plan[route]) for route in engine.ROUTES)
    result = engine.compute(plan)

    # Interleaved: each round times one pure-Python run and a share of the engine runs, so a busy spell on
    # the machine slows both sides of the ratio rather than one.
    time_ms(lambda: engine.compute(plan), 0, warmup=20)
    time_ms(lambda: pure_python_net(plan, seed=42), 0, warmup=1)
    engine_ms: list[float] = []
    python_ms: list[float] = []
    for round_ in range(args.python_reps):
        python_ms += time_ms(lambda: pure_python_net(plan, seed=42), 1, warmup=0)
        share = args.reps // args.python_reps + (round_ < args.reps % args.python_reps)
        engine_ms += time_ms(lambda: engine.compute(plan), share, warmup=0)
    engine_median = statistics.median(engine_ms)
    python_median = statistics.median(python_ms)

    python_nets = pure_python_net(plan, seed=42)
    all_flows = [flow for route in engine.ROUTES for flow in plan[route]]
    triangular_amounts = sum(isinstance(flow["amount"], dict) for flow in all_flows)
    triangular_probabilities = sum(isinstance(flow.get("probability"), dict) for flow in all_flows)
    print(
        f"plan: {flows} flows ({triangular_amounts} triangular amounts, "
        f"{triangular_probabilities} triangular probabilities), {HORIZON} months, {DRAWS} draws"
    )
    print(f"expected net (exact):          {result['expected']['net']:>12.2f}")
    print(f"simulated net mean, engine:    {result['simulation']['net']['mean']:>12.2f}")
    print(f"simulated net mean, pure Py:   {statistics.fmean(python_nets):>12.2f}")
    print(
        f"engine.compute ({args.reps} runs):    median {engine_median:8.3f} ms   p95 {p95(engine_ms):8.3f} ms"
    )
    print(
        f"pure Python ({args.python_reps} runs):        median {python_median:8.3f} ms   "
        f"p95 {p95(python_ms) if len(python_ms) > 1 else python_ms[0]:8.3f} ms"
    )
    speedup = python_median / engine_median
    time_verdict = "OK" if engine_median < TARGET_MS else "MISSED"
    speedup_verdict = "OK" if speedup > TARGET_SPEEDUP else "MISSED"
    print(
        f"SUMMARY engine median {engine_median:.2f} ms (p95 {p95(engine_ms):.2f} ms), "
        f"pure Python median {python_median:.1f} ms, speed-up x{speedup:.0f}; "
        f"aims: < {TARGET_MS:g} ms {time_verdict}, > x{TARGET_SPEEDUP} {speedup_verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
