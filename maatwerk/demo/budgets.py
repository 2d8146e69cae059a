"""Demo budgets and mandates, so that a demo team lead has money to approve and rules to meet.

Amounts are invented but of the order the City Deal municipalities reported for a wijkteam's flexible
budget. Everything goes through the budget services, acting as the municipality's demo administrator.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from maatwerk.accounts.models import Membership, Municipality, Role, User
from maatwerk.budgets import services
from maatwerk.budgets.models import (
    Budget,
    Channel,
    Kind,
    LegalBasis,
    LegalityCheckRule,
    Mandate,
    SpendRequest,
)
from maatwerk.cases.models import Case, Status

from .organisation import MUNICIPALITIES

TEAM_MAATWERKBUDGET = Decimal("25000.00")
MUNICIPAL_BIJZONDERE_BIJSTAND = Decimal("60000.00")


@transaction.atomic
def ensure_budgets(today: datetime.date | None = None) -> int:
    """Create this year's budgets and the mandates where a municipality has none yet. Returns budgets made."""
    today = today or datetime.date.today()
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    made = 0
    for municipality in Municipality.objects.prefetch_related("teams"):
        if Budget.objects.filter(municipality=municipality).exists():
            continue
        admin = _member(municipality, Role.ADMIN)
        if admin is None:
            continue
        LegalityCheckRule.objects.create(
            municipality=municipality, channel=Channel.MAATWERKBUDGET, above_amount=Decimal("2500")
        )
        LegalityCheckRule.objects.create(
            municipality=municipality, channel=Channel.BIJZONDERE_BIJSTAND, above_amount=Decimal("1000")
        )
        for team in municipality.teams.all():
            budget = services.create_budget(
                by=admin,
                municipality=municipality,
                channel=Channel.MAATWERKBUDGET,
                team=team,
                period_start=start,
                period_end=end,
            )
            services.allocate(budget, by=admin, amount=TEAM_MAATWERKBUDGET, note="Demo: jaarbudget wijkteam")
            made += 1
        budget = services.create_budget(
            by=admin,
            municipality=municipality,
            channel=Channel.BIJZONDERE_BIJSTAND,
            period_start=start,
            period_end=end,
        )
        services.allocate(budget, by=admin, amount=MUNICIPAL_BIJZONDERE_BIJSTAND, note="Demo: jaarbudget")
        made += 1
    return made


# The demo ladder of every municipality, lowest rung first: (channel, title, the role of a role rung or
# None, the demo user named in a person's rung (`<slug>.<name>`, see organisation.py) or None, up to).
# Childcare of EUR 6,500 (the story the practice began with) is above the team lead's mandate and goes to
# the manager of the social domain, after a legality check (above EUR 2,500).
LADDER = [
    (Channel.MAATWERKBUDGET, "Sociaal werker", Role.WORKER, None, Decimal("500")),
    (Channel.MAATWERKBUDGET, "Teamleider", Role.TEAM_LEAD, None, Decimal("5000")),
    (Channel.MAATWERKBUDGET, "Manager sociaal domein", None, "policy", Decimal("25000")),
    (Channel.MAATWERKBUDGET, "College van B en W", None, "college", Decimal("250000")),
    # Bijzondere bijstand is a formal decision: only named, mandated civil servants take it.
    (Channel.BIJZONDERE_BIJSTAND, "Teamleider (gemandateerd)", None, "team_lead", Decimal("2500")),
    (Channel.BIJZONDERE_BIJSTAND, "Manager sociaal domein", None, "policy", Decimal("25000")),
    (Channel.BIJZONDERE_BIJSTAND, "College van B en W", None, "college", Decimal("250000")),
]


@transaction.atomic
def ensure_ladder() -> int:
    """The demo mandate ladder in every demo municipality, each rung added once (by its name). Returns
    rungs made. Rungs are added as the municipality's demo administrator would, through the service."""
    slugs = {code: slug for _name, code, slug, _teams in MUNICIPALITIES}
    made = 0
    for municipality in Municipality.objects.filter(code__in=slugs).order_by("pk"):
        admin = _member(municipality, Role.ADMIN)
        if admin is None:
            continue
        for channel, title, role, named, limit in LADDER:
            if Mandate.objects.filter(municipality=municipality, channel=channel, title=title).exists():
                continue
            person = None
            if named is not None:
                person = User.objects.filter(username=f"{slugs[municipality.code]}.{named}").first()
                if person is None:
                    continue
            services.save_mandate(
                by=admin,
                municipality=municipality,
                channel=channel,
                title=title,
                role=role or "",
                user_id=person.pk if person else None,
                max_amount=limit,
            )
            made += 1
    return made


def _member(municipality, role, team=None):
    memberships = Membership.objects.filter(role=role)
    if team is not None:
        memberships = memberships.filter(team=team)
    else:
        memberships = memberships.filter(municipality=municipality)
    membership = memberships.select_related("user").order_by("pk").first()
    return membership.user if membership else None


# Invented payees. The IBANs are the standard textbook examples with a valid check digit, not real accounts.
DEMO_SPENDS = [
    # (amount, purpose, kind, creditor, IBAN, what happens to it in the demo)
    (
        "350.00",
        "Borg kinderopvang, zodat moeder kan starten met werk",
        Kind.CHILDCARE,
        "Kinderopvang De Speeltuin",
        "NL91ABNA0417164300",
        "paid",
    ),
    (
        "1250.00",
        "Huurachterstand: voorkomt een huisuitzetting",
        Kind.RENT_ARREARS,
        "Woonstichting Voorbeeld",
        "NL02ABNA0123456789",
        "approved",
    ),
    (
        "800.00",
        "Laptop en cursus voor re-integratie",
        Kind.EDUCATION,
        "Leerwerkplaats Voorbeeld",
        "NL18RABO0123459876",
        "requested",
    ),
]


@transaction.atomic
def ensure_spends() -> int:
    """A few spend requests in the first staffed team of each municipality that has none yet: one paid
    through an exported and confirmed payment batch, one approved and waiting for export, one waiting for
    the team lead. Everything goes through the services, as the demo worker, team lead and administrator."""
    made = 0
    for municipality in Municipality.objects.prefetch_related("teams").order_by("pk"):
        if SpendRequest.objects.filter(municipality=municipality).exists():
            continue
        admin = _member(municipality, Role.ADMIN)
        if admin is None:
            continue
        staffed = (_staffed_team(team) for team in municipality.teams.order_by("pk"))
        found = next((found for found in staffed if found is not None), None)
        if found is None:
            continue
        worker, lead, cases = found
        for case, (amount, purpose, kind, creditor, iban, fate) in zip(cases, DEMO_SPENDS, strict=True):
            spend = services.request_spend(
                by=worker,
                case=case,
                amount=Decimal(amount),
                channel=Channel.MAATWERKBUDGET,
                purpose=purpose,
                kind=kind,
                legal_basis=LegalBasis.RULE_FREE,
                creditor_name=creditor,
                iban=iban,
            )
            made += 1
            if fate != "requested":
                services.approve_spend(spend, by=lead)
            if fate == "paid":
                batch = services.export_payment_batch(
                    by=admin,
                    municipality=municipality,
                    debtor_name=f"Gemeente {municipality.name}",
                    debtor_iban="NL20INGB0001234567",
                    execution_date=datetime.date.today(),
                )
                services.mark_batch_paid(batch, by=admin)
    return made


def _staffed_team(team):
    """The team's worker, team lead and enough open cases (past intake) for the demo spends."""
    worker = _member(team.municipality, Role.WORKER, team=team)
    lead = _member(team.municipality, Role.TEAM_LEAD, team=team)
    open_cases = Case.objects.filter(team=team, status__in=[Status.ANALYSIS, Status.PLAN, Status.EXECUTION])
    cases = list(open_cases.order_by("pk")[: len(DEMO_SPENDS)])
    if worker is None or lead is None or len(cases) < len(DEMO_SPENDS):
        return None
    return worker, lead, cases
