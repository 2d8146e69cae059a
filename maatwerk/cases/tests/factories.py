"""Cases in named states, built through the services (as a worker would)."""

import datetime
import importlib
from decimal import Decimal

from django.apps import apps

from maatwerk.cases import services
from maatwerk.cases.models import Agency, Case, FollowUp, LifeDomain, Person, Status, Theme, Tone

VALID_BSN = "111222333"  # passes the 11-check; a well-known test number


def household_case(world, *, by=None, team=None, name="Jansen", **situation) -> Case:
    by = by or world.alice
    team = team or world.team_a
    situation.setdefault("vastloper", "Toeslagen verrekend met belastingschuld")
    situation.setdefault("domains", [LifeDomain.FINANCES, LifeDomain.HOUSING])
    situation.setdefault("agencies", [Agency.TAX])
    return services.start_case(
        by=by,
        team=team,
        name=name,
        persons=[
            {
                "first_name": "Sanne",
                "last_name": name,
                "bsn": VALID_BSN,
                "birth_year": 1988,
                "role": Person.HouseholdRole.APPLICANT,
            }
        ],
        **situation,
    )


def case_in(world, status: str, **kwargs) -> Case:
    """A case walked forward to `status` through the services."""
    case = household_case(world, **kwargs)
    by = kwargs.get("by") or world.alice
    for step in (Status.ANALYSIS, Status.PLAN, Status.EXECUTION):
        if case.status == status:
            return case
        case = services.move_case(case, by=by, to=step)
    if case.status == status:
        return case
    case = services.close_case(
        case,
        by=by,
        outcome={"goal_reached": "yes", "income_change": "Toeslag weer uitbetaald"},
        # No consent to share the quote: it stays in the case file, so no voice and no anonymiser run (the
        # voices' own tests ask for them).
        feedback={"grade": 9, "quote": "Eindelijk iemand die doorpakte.", "quote_consent": False},
        reflection={"tone": Tone.POSITIVE, "learning_points": "Vroeg de Belastingdienst bellen."},
    )
    if case.status == status:
        return case
    # Aftercare: the three-month follow-up is due today, as if the case had been closed three months ago.
    followup = case.followups.get(kind="3m")
    FollowUp.objects.filter(pk=followup.pk).update(due_on=datetime.date.today())
    followup.refresh_from_db()
    services.record_followup(followup, by=by, back_in_trouble=False, kept_home=True)
    return Case.objects.get(pk=case.pk)


def time_payload(**kw):
    return {"hours": Decimal("1.5"), "activity": "household", "day": datetime.date.today(), **kw}


def seed_themes() -> list[Theme]:
    """The migration's themes (a transactional test elsewhere may have flushed them)."""
    if not Theme.objects.exists():
        importlib.import_module("maatwerk.cases.migrations.0005_themes").seed(apps, None)
    return list(Theme.objects.filter(active=True))


def household_of_two(world):
    """A case in execution for Sanne Verhoeven and her son Daan."""
    case = case_in(world, Status.EXECUTION, name="Verhoeven")
    services.add_person(
        case.household,
        by=world.alice,
        first_name="Daan",
        last_name="Verhoeven",
        birth_year=2010,
        role=Person.HouseholdRole.CHILD,
    )
    return case
