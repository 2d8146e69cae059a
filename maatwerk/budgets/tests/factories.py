"""Named states for budget tests: a case per team, budgets with money in them, standard mandates."""

import datetime
import json
from decimal import Decimal

from maatwerk.accounts.models import Role
from maatwerk.budgets import services
from maatwerk.budgets.models import Budget, Channel, LegalBasis, LegalityCheckRule, Mandate, Verdict
from maatwerk.cases.models import Case, Household

PERIOD = (datetime.date(2020, 1, 1), datetime.date(2099, 12, 31))
# A payment batch is executed on a date that has not passed (at most a year ahead): a week from now.
EXECUTION_DATE = datetime.date.today() + datetime.timedelta(days=7)
IBAN = "NL91ABNA0417164300"


def make_case(team, name="Jansen") -> Case:
    household = Household.objects.create(
        municipality=team.municipality, team=team, name=name, search_key=name.lower()
    )
    return Case.objects.create(municipality=team.municipality, team=team, household=household)


def make_budget(
    world, *, team=None, channel=Channel.MAATWERKBUDGET, amount="10000.00", municipality_wide=False
) -> Budget:
    """A budget of `team` (team A by default), or with `municipality_wide` one of its whole municipality."""
    team = team if team is not None else world.team_a
    budget = Budget.objects.create(
        municipality=team.municipality,
        team=None if municipality_wide else team,
        channel=channel,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
    )
    if amount:
        admin = world.adam if team.municipality_id == world.eindhoven.pk else None
        if admin is None:
            from maatwerk.budgets.models import EntryKind, LedgerEntry

            LedgerEntry.objects.create(
                budget=budget, kind=EntryKind.ALLOCATION, amount=Decimal(amount), created_by=world.pat
            )
        else:
            services.allocate(budget, by=admin, amount=Decimal(amount))
    return budget


def college_member(municipality):
    """Walter, who decides for the college of the municipality (a named mandate, no upper limit)."""
    from maatwerk.accounts.models import Membership, User

    user, created = User.objects.get_or_create(
        username=f"walter-{municipality.code}", defaults={"first_name": "Walter", "last_name": "Wethouder"}
    )
    if created:
        Membership.objects.create(user=user, role=Role.POLICY, municipality=municipality)
    return user


def standard_mandates(municipality, *, bb_user=None, college=True) -> None:
    """Workers approve up to €250, team leads up to €2.500; a legality check above €1.000.

    Special assistance: only `bb_user` (a named civil servant), up to €5.000; a check above €500.
    With `college`, the top rung of both ladders: Walter for the college, without an upper limit (so that
    a test's large amount goes somewhere; `test_mandate_ladder` tries a ladder with a top).
    """
    if college:
        walter = college_member(municipality)
        for channel in Channel.values:
            Mandate.objects.create(
                municipality=municipality, channel=channel, user=walter, title="College van B en W"
            )
    Mandate.objects.create(
        municipality=municipality, channel=Channel.MAATWERKBUDGET, role=Role.WORKER, max_amount=Decimal("250")
    )
    Mandate.objects.create(
        municipality=municipality,
        channel=Channel.MAATWERKBUDGET,
        role=Role.TEAM_LEAD,
        max_amount=Decimal("2500"),
    )
    # A team-lead role row for special assistance does not count: that channel needs a named person.
    Mandate.objects.create(
        municipality=municipality,
        channel=Channel.BIJZONDERE_BIJSTAND,
        role=Role.TEAM_LEAD,
        max_amount=Decimal("5000"),
    )
    if bb_user is not None:
        Mandate.objects.create(
            municipality=municipality,
            channel=Channel.BIJZONDERE_BIJSTAND,
            user=bb_user,
            max_amount=Decimal("5000"),
        )
    LegalityCheckRule.objects.create(
        municipality=municipality, channel=Channel.MAATWERKBUDGET, above_amount=Decimal("1000")
    )
    LegalityCheckRule.objects.create(
        municipality=municipality, channel=Channel.BIJZONDERE_BIJSTAND, above_amount=Decimal("500")
    )


def request(by, case, amount="100.00", *, channel=Channel.MAATWERKBUDGET, **kwargs):
    defaults = {
        "purpose": "Achterstand energierekening",
        "legal_basis": LegalBasis.RULE_FREE if channel == Channel.MAATWERKBUDGET else LegalBasis.PW_ART35,
        "creditor_name": "Energie BV",
        "iban": IBAN,
    }
    return services.request_spend(
        by=by, case=case, amount=Decimal(amount), channel=channel, **(defaults | kwargs)
    )


def post_json(client, url, data=None, **headers):
    """POST `data` as JSON to the API through the test client; headers such as Idempotency-Key by keyword."""
    return client.post(url, json.dumps(data or {}), content_type="application/json", headers=headers)


def spend_payload(case, **changes):
    """A valid API body for a spend request on `case`, with `changes` on top."""
    return {
        "case_id": case.pk,
        "amount": "150.00",
        "channel": "maatwerkbudget",
        "purpose": "Schoolspullen",
        "legal_basis": "rule_free",
        "creditor_name": "Winkel",
        "iban": IBAN,
    } | changes


# Every point of a legality check met: the verdict "lawful" a checker records when nothing is amiss.
ALL_CHECKS_MET = {
    "legal_basis_ok": True,
    "mandate_ok": True,
    "deviation_ok": True,
    "prior_provisions_considered": True,
    "amount_reasonable": True,
}


def lawful_check(spend, by):
    """`by` (a legality checker) finds `spend` lawful on every point."""
    return services.record_legality_check(spend, by=by, verdict=Verdict.LAWFUL, **ALL_CHECKS_MET)
