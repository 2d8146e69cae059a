"""The story the practice began with, as demo data: EUR 6,500 of childcare so that a mother in Zaanstad
kept her job, against a year of benefit of about EUR 12,000.

The demo leaves it where a user can play the rest: the worker has built the business case, filled the
value triangle and requested the spend; the legality checker (zaanstad.legal_checker) checks it, the
manager of the social domain (zaanstad.policy) approves it from their queue, the administrator
(zaanstad.admin) exports the payment batch and marks it paid. The household is invented.
"""

from decimal import Decimal

from django.db import transaction

from maatwerk.accounts.models import Membership, Municipality, Role
from maatwerk.budgets import services as budget_services
from maatwerk.budgets.models import Channel, Kind, LegalBasis, SpendRequest
from maatwerk.businesscases import services as bc_services
from maatwerk.cases import services as case_services

PURPOSE = "Kinderopvang een jaar, zodat moeder haar nieuwe baan houdt"
AMOUNT = Decimal("6500.00")

# A year of benefit (Participatiewet, single parent: about EUR 1,000 a month) that the job avoids, with a
# 90 % chance that it would have been paid without the childcare.
PLAN = {
    "horizon_months": 24,
    "discount_rate": 0.0225,
    "investments": [{"label": "Kinderopvang (een jaar)", "amount": 6500, "month": 0, "payer": "gemeente"}],
    "regular_route": [
        {
            "label": "Bijstand (een jaar)",
            "amount": 1000,
            "per": "month",
            "start_month": 1,
            "months": 12,
            "probability": 0.9,
            "payer": "gemeente",
        }
    ],
    "maatwerk_route": [],
    "deadweight": 0.0,
}


def _worker(municipality):
    membership = (
        Membership.objects.filter(municipality=municipality, role=Role.WORKER, team__isnull=False)
        .select_related("user", "team")
        .order_by("team_id", "pk")
        .first()
    )
    return membership


@transaction.atomic
def ensure_story() -> int:
    """The EUR 6,500 story in Zaanstad, once. Returns 1 when it was made, else 0."""
    municipality = Municipality.objects.filter(code="0479").first()
    if (
        municipality is None
        or SpendRequest.objects.filter(municipality=municipality, purpose=PURPOSE).exists()
    ):
        return 0
    membership = _worker(municipality)
    if membership is None:
        return 0
    worker, team = membership.user, membership.team
    case = case_services.start_case(
        by=worker,
        team=team,
        name="El Idrissi",
        persons=[{"first_name": "Samira", "last_name": "El Idrissi", "role": "applicant"}],
        vastloper=(
            "Samira heeft een baan gevonden, maar zonder kinderopvang kan ze niet beginnen: de "
            "kinderopvangtoeslag komt pas maanden later en de eigen bijdrage kan ze niet voorschieten."
        ),
        goal="Aan het werk blijven en uit de bijstand.",
        domains=[1, 2],
        agencies=[1],
    )
    version = bc_services.save_version(
        case, by=worker, plan=PLAN, note="Kinderopvang tegen een jaar bijstand"
    )
    triangle = bc_services.record_triangle(
        case,
        by=worker,
        engagement="Samira wil werken; haar moeder haalt de kinderen twee middagen op.",
        legitimacy=(
            "De toeslag komt te laat; de regels laten dit gat open. Maatwerk overbrugt het een jaar."
        ),
        judgement="Een jaar opvang kost minder dan een jaar bijstand, en Samira houdt haar baan.",
        verdict="yes",
    )
    budget_services.request_spend(
        by=worker,
        case=case,
        amount=AMOUNT,
        channel=Channel.MAATWERKBUDGET,
        purpose=PURPOSE,
        kind=Kind.CHILDCARE,
        legal_basis=LegalBasis.RULE_FREE,
        creditor_name="Kinderopvang De Zaanse Speeltuin",
        iban="NL91ABNA0417164300",  # the textbook example IBAN, not a real account
        deviates_from_policy=True,
        business_case_version=version,
        value_triangle=triangle,
    )
    return 1
