"""Business cases for the synthetic demo cases: a few plan templates, computed once, scaled per case.

Running the engine per case would make a million households take hours. Every plan here is linear in its
amounts, so a case's version is its template's with every euro figure multiplied by the case's factor: the
same draws (probabilities do not scale) give exactly the scaled net, so the quantiles scale by the factor,
the variance by its square and the third moment by its cube. Ratios (roi, the chance of a gain) and the
payback month stay as they are.

The figures come from the cost catalogue (kengetallen), so the versions cite real sources and grades. The
worker's registered hours are not counted as an investment here (a saved version would add them).
"""

import copy
from dataclasses import dataclass
from decimal import Decimal

from maatwerk.businesscases import engine
from maatwerk.businesscases.evaluation import (
    DEFAULT_DISCOUNT_RATE,
    bias_default,
    default_hourly_rate,
    sources_for,
    weakest_grade,
)
from maatwerk.businesscases.models import NET_QUANTILES

DRAWS = 2000
SEED = 20241


def _flow(label, amount, *, code=None, per="once", probability=1.0, payer="gemeente", **more):
    flow = {"label": label, "amount": amount, "per": per, "probability": probability, "payer": payer, **more}
    if code:
        flow["cost_code"] = code
    return flow


def _invest(label, amount, code=None):
    flow = {"label": label, "amount": amount, "month": 0, "payer": "gemeente"}
    if code:
        flow["cost_code"] = code
    return flow


def _plan(investments, regular, maatwerk=(), horizon=36):
    return {
        "horizon_months": horizon,
        "discount_rate": DEFAULT_DISCOUNT_RATE,
        "draws": DRAWS,
        "seed": SEED,
        "investments": list(investments),
        "regular_route": list(regular),
        "maatwerk_route": list(maatwerk),
        "deadweight": 0.1,
    }


BIJSTAND = "PW_NORM_ALL_2024H2"  # 1,308.45 a month (A)
# Per scenario of demo/cases.py SCENARIOS (same order): (weight, note, plan). The plan with the lower
# weight loses money (its expected net is negative): 2 in 7 in three of the seven scenarios, so about one
# business case in eight shows a loss. The eviction plan carries the rare very large saving (skew).
TEMPLATES = [
    [  # childcare allowance offset against a tax debt
        (
            5,
            "Opvang overbruggen tegen bijstand bij baanverlies",
            _plan(
                [_invest("Kinderopvang drie maanden", 2200, "KOT_MAX_DAGOPVANG")],
                [
                    _flow(
                        "Bijstand na baanverlies",
                        1308.45,
                        code=BIJSTAND,
                        per="month",
                        start_month=2,
                        months=12,
                        probability=0.55,
                    ),
                    _flow("Schuldhulptraject", 1500, code="SHV_TRAJECT", probability=0.3),
                ],
            ),
        ),
        (
            2,
            "Opvang overbruggen; baan was waarschijnlijk ook zo gebleven",
            _plan(
                [_invest("Kinderopvang zes maanden", 4400, "KOT_MAX_DAGOPVANG")],
                [
                    _flow(
                        "Bijstand na baanverlies",
                        1308.45,
                        code=BIJSTAND,
                        per="month",
                        start_month=3,
                        months=4,
                        probability=0.35,
                    )
                ],
            ),
        ),
    ],
    [  # a car to reach a job
        (
            5,
            "Auto voor werk tegen twee jaar bijstand",
            _plan(
                [_invest("Occasion, APK en verzekering", 4500)],
                [
                    _flow(
                        "Bijstandsuitkering",
                        14000,
                        code="PW_UITK_GEM",
                        per="year",
                        start_month=1,
                        months=24,
                        probability=0.45,
                    )
                ],
            ),
        ),
        (
            2,
            "Auto voor werk; de baan was onzeker",
            _plan(
                [_invest("Auto en rijlessen", 6500)],
                [
                    _flow(
                        "Bijstandsuitkering",
                        14000,
                        code="PW_UITK_GEM",
                        per="year",
                        start_month=1,
                        months=6,
                        probability=0.25,
                    )
                ],
            ),
        ),
    ],
    [  # a rent deposit for a social rented home
        (
            1,
            "Borg voorschieten tegen opvang",
            _plan(
                [_invest("Borg en eerste huur", 1500)],
                [
                    _flow(
                        "Residentiële opvang",
                        10384,
                        code="MO_RESIDENTIEEL",
                        per="year",
                        start_month=1,
                        months=9,
                        probability=0.4,
                    ),
                ],
            ),
        ),
    ],
    [  # health-insurer arrears and the CAK's deduction
        (
            1,
            "Premieachterstand aflossen tegen bronheffing en schuldhulp",
            _plan(
                [_invest("Aflossing premieachterstand", 950)],
                [
                    _flow(
                        "Bestuursrechtelijke premie",
                        175.20,
                        code="CAK_BR_PREMIE",
                        per="month",
                        months=12,
                        probability=0.8,
                        payer="burger",
                    ),
                    _flow("Schuldhulptraject", 1500, code="SHV_TRAJECT", probability=0.5),
                ],
            ),
        ),
    ],
    [  # a youth turning 18
        (
            1,
            "Overbrugging bij 18 jaar tegen uitval en uitkering",
            _plan(
                [_invest("Twee maanden overbrugging", 800)],
                [
                    _flow(
                        "Bijstandsuitkering",
                        14000,
                        code="PW_UITK_GEM",
                        per="year",
                        start_month=6,
                        months=24,
                        probability=0.12,
                    ),
                    _flow("Jeugdhulpbeschikking", 956, code="JW_UITV_BESCHIKKING", probability=0.3),
                ],
            ),
        ),
    ],
    [  # early signals: rent and energy arrears
        (
            1,
            "Huurachterstand betalen tegen huisuitzetting",
            _plan(
                [_invest("Huurachterstand", 1800)],
                [
                    _flow(
                        "Huisuitzetting",
                        7500,
                        code="HUISUITZ_DIRECT",
                        probability=0.35,
                        payer="woningcorporatie",
                    ),
                    _flow(
                        "Nasleep huisuitzetting",
                        100000,
                        code="HUISUITZ_MAATSCH",
                        probability=0.03,
                        payer="diverse",
                    ),
                    _flow(
                        "Griffierecht ontruiming",
                        328,
                        code="GRIFFIE_KANTON_RP_1500",
                        probability=0.4,
                        payer="woningcorporatie",
                    ),
                    _flow(
                        "Afsluiten energie", 116, code="ENERGIE_AFSLUITEN", probability=0.5, payer="burger"
                    ),
                    _flow(
                        "Heraansluiten energie",
                        116,
                        code="ENERGIE_HERAANSLUITEN",
                        probability=0.5,
                        payer="burger",
                    ),
                ],
            ),
        ),
    ],
    [  # stacked CJIB fines and a driving licence
        (
            5,
            "Regeling CJIB tegen verlies van werk",
            _plan(
                [_invest("Aflossing boetes", 1400)],
                [
                    _flow(
                        "Bijstandsuitkering",
                        14000,
                        code="PW_UITK_GEM",
                        per="year",
                        start_month=2,
                        months=12,
                        probability=0.25,
                    ),
                    _flow("Schuldhulptraject", 1500, code="SHV_TRAJECT", probability=0.4),
                ],
            ),
        ),
        (
            2,
            "Boetes betalen; het werk stond weinig op het spel",
            _plan(
                [_invest("Boetes met verhogingen", 2400)],
                [
                    _flow(
                        "Bijstandsuitkering",
                        14000,
                        code="PW_UITK_GEM",
                        per="year",
                        start_month=2,
                        months=6,
                        probability=0.1,
                    ),
                    _flow("Administratiekosten CJIB", 42, code="CJIB_ADMIN", payer="burger"),
                ],
            ),
        ),
    ],
]


@dataclass(frozen=True)
class Template:
    note: str
    plan: dict
    result: dict
    sources: dict
    grade: str
    investment: float
    net: float
    roi: Decimal | None
    p_net_positive: Decimal
    net_draws: list
    net_var: float
    net_m3: float


def computed_templates() -> list[tuple[list[int], list[Template]]]:
    """Per scenario: the weights and the templates, each run through the engine once."""
    out = []
    for options in TEMPLATES:
        weights, made = [], []
        for weight, note, plan in options:
            plan = copy.deepcopy(plan)
            sources = sources_for(plan, None)
            plan["optimism_bias"] = bias_default(sources)[1]
            result, draws = engine.compute_with_draws(plan)
            summary = engine.net_summary(draws, NET_QUANTILES)
            expected = result["expected"]
            made.append(
                Template(
                    note=note,
                    plan=plan,
                    result=result,
                    sources=sources,
                    grade=weakest_grade(sources),
                    investment=expected["investment"],
                    net=expected["net"],
                    roi=engine.to_decimal(expected["roi"], 4) if expected["roi"] is not None else None,
                    p_net_positive=engine.to_decimal(result["simulation"]["p_net_positive"], 4),
                    **summary,
                )
            )
            weights.append(weight)
        out.append((weights, made))
    return out


def _scaled(value, factor: float):
    """Every euro figure of a plan or result times `factor`, to the cent; ratios and months unchanged."""
    if isinstance(value, dict):
        return {k: v if k in _UNSCALED else _scaled(v, factor) for k, v in value.items()}
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return round(value * factor, 2)
    return value


# Keys whose numbers are not euros: they stay as the template has them.
_UNSCALED = frozenset(
    {
        "roi",
        "p_net_positive",
        "payback_month",
        "probability",
        "per",
        "start_month",
        "month",
        "months",
        "horizon_months",
        "discount_rate",
        "draws",
        "seed",
        "deadweight",
        "optimism_bias",
        "label",
        "payer",
        "cost_code",
    }
)


def version_row(template: Template, factor: float, *, business_case_id: int, by_id: int, at) -> dict:
    """The BusinessCaseVersion row (attname → value) of a case whose plan is `template` times `factor`."""
    return {
        "business_case_id": business_case_id,
        "number": 1,
        "plan": _scaled(template.plan, factor),
        "result": _scaled(template.result, factor),
        "inputs": {},
        "sources": template.sources,
        "hours": Decimal("0.00"),
        "hourly_rate": default_hourly_rate(),
        "investment": engine.to_decimal(template.investment * factor),
        "expected_net": engine.to_decimal(template.net * factor),
        "roi": template.roi,
        "p_net_positive": template.p_net_positive,
        "net_draws": [round(q * factor, 2) for q in template.net_draws],
        "net_var": template.net_var * factor**2,
        "net_m3": template.net_m3 * factor**3,
        "weakest_grade": template.grade,
        "note": template.note,
        "created_by_id": by_id,
        "created_at": at,
        "frozen_at": None,
        "frozen_by_id": None,
        "frozen_reason": "",
    }
