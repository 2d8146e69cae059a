"""Barriers in named states, built through the services (as a worker would)."""

import datetime
from decimal import Decimal

from maatwerk.barriers import services
from maatwerk.barriers.models import BarrierType, Decision, Level
from maatwerk.cases import services as case_services
from maatwerk.cases.models import Agency, Person

# Known names and BSNs that must never reach policy or programme pages.
SECRET_NAMES = ("Zwanenburg", "Wilhelmina", "Oosterhout", "Gerrit")
SECRET_BSNS = ("111222333", "123456782")


def case_for(world, *, by=None, team=None, name="Zwanenburg", first_name="Wilhelmina", bsn="111222333"):
    by = by or world.alice
    return case_services.start_case(
        by=by,
        team=team or world.team_a,
        name=name,
        persons=[
            {
                "first_name": first_name,
                "last_name": name,
                "bsn": bsn,
                "birth_year": 1985,
                "role": Person.HouseholdRole.APPLICANT,
            }
        ],
        vastloper="Toeslagen verrekend met belastingschuld",
        agencies=[Agency.TAX],
    )


def childcare_data(**overrides) -> dict:
    data = {
        "type": BarrierType.RULE_CLASH,
        "title": "Kinderopvangtoeslag verrekend met belastingschuld",
        "agencies": [Agency.TAX],
        "legal_provision": "art. 30 Awir",
        "description": "De toeslag wordt verrekend met een oude schuld; de opvang stopt, werk gaat verloren.",
        "risk": "Ontslag en huurachterstand",
        "risk_date": datetime.date(2027, 3, 1),
        "solution_asked": "Verrekening opschorten zolang een schuldregeling loopt.",
    }
    data.update(overrides)
    return data


def childcare_barrier(world, *, by=None, case=None, cost=Decimal("12500.00"), **overrides):
    by = by or world.alice
    return services.register_barrier(
        by=by, case=case, cost_at_stake=cost if case else None, **childcare_data(**overrides)
    )


def answered(barrier, by, *, today=None):
    due = (today or datetime.date.today()) + datetime.timedelta(days=14)
    esc = services.escalate_barrier(
        barrier, by=by, level=Level.MUNICIPALITY, to="Maatwerkfunctionaris", due_date=due
    )
    services.record_answer(esc, by=by, answer="Lokaal niet op te lossen.", decision=Decision.REFERRED)
    return esc


def many_barriers(world, n: int, *, by=None, **overrides) -> list:
    """`n` barriers registered one after the other (oldest first), titled "Knelpunt 001" and on."""
    return [childcare_barrier(world, by=by, title=f"Knelpunt {i:03d}", **overrides) for i in range(1, n + 1)]
