"""Demo budgets and mandates, so that a demo team lead has money to approve and rules to meet.

Amounts are invented but of the order the City Deal municipalities reported for a wijkteam's flexible
budget. Everything goes through the budget services, acting as the municipality's demo administrator.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from maatwerk.accounts.models import Membership, Municipality, Role
from maatwerk.budgets import services
from maatwerk.budgets.models import Budget, Channel, LegalityCheckRule, Mandate

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
        lead = _member(municipality, Role.TEAM_LEAD)
        if admin is None:
            continue
        Mandate.objects.create(
            municipality=municipality,
            channel=Channel.MAATWERKBUDGET,
            role=Role.WORKER,
            max_amount=Decimal("500"),
        )
        Mandate.objects.create(
            municipality=municipality,
            channel=Channel.MAATWERKBUDGET,
            role=Role.TEAM_LEAD,
            max_amount=Decimal("5000"),
        )
        if lead is not None:
            # Bijzondere bijstand is a formal decision: only a named, mandated civil servant may take it.
            Mandate.objects.create(
                municipality=municipality,
                channel=Channel.BIJZONDERE_BIJSTAND,
                user=lead,
                max_amount=Decimal("2500"),
            )
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


def _member(municipality, role):
    membership = (
        Membership.objects.filter(municipality=municipality, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None
