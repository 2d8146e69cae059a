"""Named states for business-case tests: a case of alice's team, the childcare example plan."""

import copy

from maatwerk.cases import services as case_services

CHILDCARE_PLAN = {
    "horizon_months": 36,
    "discount_rate": 0.0225,
    "investments": [{"label": "Kinderopvang", "amount": 6500, "month": 0, "payer": "gemeente"}],
    "regular_route": [
        {
            "label": "Bijstand",
            "amount": 1283.83,
            "per": "month",
            "start_month": 2,
            "months": 12,
            "probability": 0.9,
            "payer": "gemeente",
            "cost_code": "PW_NORM_ALL_2024H1",
        }
    ],
    "maatwerk_route": [],
    "deadweight": 0.0,
}


def childcare_plan(**changes) -> dict:
    plan = copy.deepcopy(CHILDCARE_PLAN)
    plan.update(changes)
    return plan


def case_for(user, team, *, name="Jansen", first_name="Sanne"):
    return case_services.start_case(
        by=user,
        team=team,
        name=name,
        persons=[{"first_name": first_name, "last_name": name, "role": "applicant", "bsn": "111222333"}],
        vastloper="Werk gevonden, maar zonder kinderopvang kan ze niet beginnen; de toeslag komt pas later.",
        goal="Aan het werk en uit de bijstand.",
        domains=[1, 2],
        agencies=[1],
    )
