"""Spend requests for the synthetic cases, with their ledger entries, written in bulk.

The cases were chosen by `demo.cases.generate` (`PlannedSpend`); this runs once the demo budgets and
ladders exist, after the few requests made through the services (`demo.budgets.ensure_spends`, the story),
so those keep their payment batch to themselves. The services would take a transaction, a lock and an
audit row per request; here every row is written with executemany, in the shapes the services write:

* approved: a commitment, booked by the approver at the decision;
* paid: a commitment, and at payment a release (note "payment") with the payment of the same amount;
* requested, rejected, cancelled before approval: no entries.

So the ledger identity holds per request and per budget. A team budget that the synthetic spends would
overdraw first gets one more allocation (booked before any of them, by the municipality's administrator),
so no budget's available amount is ever below zero. One AccessLog row records the load.
"""

import datetime
import math
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Role
from maatwerk.budgets.models import (
    Budget,
    Channel,
    EntryKind,
    Kind,
    LedgerEntry,
    LegalBasis,
    LegalityCheck,
    LegalityCheckRule,
    Mandate,
    PayeeKind,
    SpendRequest,
    SpendStatus,
    Verdict,
)
from maatwerk.budgets.services import PAYMENT_RELEASE_NOTE

from .budgets import _member
from .cases import _insert

# What the money is for, by scenario (demo/cases.py SCENARIOS, same order): (kind, weight).
KINDS_BY_SCENARIO = [
    [(Kind.CHILDCARE, 80), (Kind.DEBTS, 15), (Kind.OTHER, 5)],
    [(Kind.TRANSPORT, 80), (Kind.EDUCATION, 15), (Kind.OTHER, 5)],
    [(Kind.HOUSING, 80), (Kind.RENT_ARREARS, 15), (Kind.OTHER, 5)],
    [(Kind.CARE, 55), (Kind.DEBTS, 40), (Kind.OTHER, 5)],
    [(Kind.EDUCATION, 75), (Kind.CARE, 20), (Kind.OTHER, 5)],
    [(Kind.RENT_ARREARS, 55), (Kind.ENERGY, 40), (Kind.OTHER, 5)],
    [(Kind.DEBTS, 80), (Kind.TRANSPORT, 15), (Kind.OTHER, 5)],
]
# (purpose, creditor, typical amount in euros) per kind. The IBANs are textbook examples, not accounts.
PURPOSES = {
    Kind.RENT_ARREARS: ("Huurachterstand, voorkomt ontruiming", "Woonstichting Voorbeeld", 1400),
    Kind.ENERGY: ("Energieachterstand, voorkomt afsluiting", "Energie Voorbeeld BV", 650),
    Kind.DEBTS: ("Aflossing boetes en schuld ineens", "Incassobureau Voorbeeld", 1100),
    Kind.CHILDCARE: ("Kinderopvang overbruggen tot de toeslag loopt", "Kinderopvang De Speeltuin", 1800),
    Kind.TRANSPORT: ("Vervoer naar werk (auto of ov)", "Autobedrijf Voorbeeld", 2200),
    Kind.EDUCATION: ("Schoolkosten en laptop voor de opleiding", "Leerwerkplaats Voorbeeld", 700),
    Kind.HOUSING: ("Borg en inrichting nieuwe woning", "Woonstichting Voorbeeld", 1300),
    Kind.CARE: ("Premieachterstand zorgverzekering", "Zorgverzekeraar Voorbeeld", 900),
    Kind.OTHER: ("Overbrugging vaste lasten", "Voorbeeld BV", 500),
}
IBANS = ["NL91ABNA0417164300", "NL02ABNA0123456789", "NL18RABO0123459876", "NL20INGB0001234567"]
LOW, HIGH = Decimal("150"), Decimal("6000")
# Mostly approved or paid; a few still waiting, refused or withdrawn.
FATES = [SpendStatus.PAID, SpendStatus.APPROVED, SpendStatus.REQUESTED, SpendStatus.REJECTED]
FATE_WEIGHTS = [58, 27, 8, 7]
TOP_UP_NOTE = "Demo: aanvulling voor de synthetische dossiers"


def _amount(rng: random.Random, typical: int) -> Decimal:
    """Skewed around the kind's typical amount, in whole fives, within EUR 150-6,000."""
    value = rng.lognormvariate(math.log(typical), 0.6)
    return min(HIGH, max(LOW, Decimal(int(value / 5) * 5)))


class _Municipality:
    """What the bulk rows need of a municipality: its users, ladder and check threshold."""

    def __init__(self, municipality_id: int):
        from maatwerk.accounts.models import Municipality

        municipality = Municipality.objects.get(pk=municipality_id)
        self.admin = _member(municipality, Role.ADMIN)
        self.checker = _member(municipality, Role.LEGAL_CHECKER)
        self.rungs = list(
            Mandate.objects.filter(
                municipality_id=municipality_id, channel=Channel.MAATWERKBUDGET, active=True
            ).order_by("max_amount")
        )
        rule = LegalityCheckRule.objects.filter(
            municipality_id=municipality_id, channel=Channel.MAATWERKBUDGET
        ).first()
        self.check_above = rule.above_amount if rule else None

    def rung(self, amount: Decimal):
        return next((r for r in self.rungs if r.max_amount is None or amount <= r.max_amount), None)


def _moment(day: datetime.date, rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    at = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9 + rng.randrange(8), rng.randrange(60)))
    )
    return min(at, now)


@transaction.atomic
def bulk_spends(planned: list, *, seed: int = 1) -> int:
    """Write the planned spends (demo.cases.PlannedSpend) with their ledger entries; returns how many."""
    if not planned:
        return 0
    rng = random.Random(seed * 7919 + 12)
    now = timezone.now()
    today = timezone.localdate()
    budgets = {
        b.team_id: b
        for b in Budget.objects.filter(
            channel=Channel.MAATWERKBUDGET, team__isnull=False, period_start__lte=today, period_end__gte=today
        )
    }
    places: dict[int, _Municipality] = {}
    spends, fates = [], []
    for plan in planned:
        team = plan.staff.team
        budget = budgets.get(team.pk)
        if budget is None:
            continue
        place = places.get(team.municipality_id) or places.setdefault(
            team.municipality_id, _Municipality(team.municipality_id)
        )
        kinds, weights = zip(*KINDS_BY_SCENARIO[plan.scenario], strict=True)
        kind = rng.choices(kinds, weights=weights)[0]
        purpose, creditor, typical = PURPOSES[kind]
        amount = _amount(rng, typical)
        rung = place.rung(amount)
        if rung is None or place.admin is None:
            continue
        fate = rng.choices(FATES, weights=FATE_WEIGHTS)[0]
        # Within the case's life and this year's budget period, never in the future.
        first = max(plan.opened_on + datetime.timedelta(days=rng.randint(3, 40)), budget.period_start)
        last = min(plan.closed_on or today, today)
        requested_at = _moment(min(first, last) if first <= last else last, rng, now)
        decided_at = min(
            requested_at + datetime.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6)), now
        )
        paid_at = min(decided_at + datetime.timedelta(days=rng.randint(1, 14)), now)
        approver = _approver(rung, plan, rng)
        decided = fate in (SpendStatus.APPROVED, SpendStatus.PAID, SpendStatus.REJECTED)
        bank = rng.random() < 0.85
        spends.append(
            SpendRequest(
                municipality_id=team.municipality_id,
                team_id=team.pk,
                budget_id=budget.pk,
                case_id=plan.case_id,
                channel=Channel.MAATWERKBUDGET,
                amount=amount,
                payee_kind=PayeeKind.BANK if bank else PayeeKind.IN_KIND,
                creditor_name=creditor,
                iban=rng.choice(IBANS) if bank else "",
                purpose=purpose,
                kind=kind,
                legal_basis=LegalBasis.RULE_FREE,
                needs_legality_check=place.check_above is not None and amount > place.check_above,
                approver_mandate_id=rung.pk,
                status=fate,
                requested_by_id=plan.worker.pk,
                requested_at=requested_at,
                decided_by_id=approver if decided else None,
                decided_at=decided_at if decided else None,
                decision_reason="Past beter in de bijzondere bijstand."
                if fate == SpendStatus.REJECTED
                else "",
                paid_by_id=place.admin.pk if fate == SpendStatus.PAID else None,
                paid_at=paid_at if fate == SpendStatus.PAID else None,
            )
        )
        fates.append(place)
    SpendRequest.objects.bulk_create(spends, batch_size=2000)
    _book(spends, fates, budgets, now)
    log_access(
        None,
        action=AccessLog.Action.CREATE,
        purpose=f"synthetic demo spends: {len(spends)} requests",
        object_type="budgets.demo",
        object_id=str(seed),
    )
    return len(spends)


def _approver(rung, plan, rng: random.Random) -> int:
    """Who decided under `rung`: its named person, the team lead, or a colleague of the requester."""
    if rung.user_id:
        return rung.user_id
    staff = plan.staff
    if rung.role == Role.WORKER:
        colleagues = [w for w in staff.workers if w.pk != plan.worker.pk]
        if colleagues:
            return rng.choice(colleagues).pk
    return (staff.lead or plan.worker).pk


def _book(spends: list, places: list, budgets: dict, now: datetime.datetime) -> None:
    """The ledger entries and legality checks of the bulk spends, and a top-up where a budget needs one."""
    entries, checks = [], []
    needed: dict[int, Decimal] = defaultdict(Decimal)
    for spend, place in zip(spends, places, strict=True):
        if spend.needs_legality_check and spend.decided_at and place.checker is not None:
            checks.append(
                {
                    "spend_id": spend.pk,
                    "checked_by_id": place.checker.pk,
                    "checked_at": spend.requested_at,
                    "legal_basis_ok": True,
                    "mandate_ok": True,
                    "deviation_ok": True,
                    "prior_provisions_considered": True,
                    "amount_reasonable": spend.status != SpendStatus.REJECTED,
                    "verdict": Verdict.LAWFUL if spend.status != SpendStatus.REJECTED else Verdict.UNLAWFUL,
                    "notes": "",
                }
            )
        if spend.status not in (SpendStatus.APPROVED, SpendStatus.PAID):
            continue
        needed[spend.budget_id] += spend.amount
        row = {
            "budget_id": spend.budget_id,
            "spend_id": spend.pk,
            "reverses_id": None,
            "amount": spend.amount,
        }
        entries.append(
            row
            | {
                "kind": EntryKind.COMMITMENT,
                "note": "",
                "created_by_id": spend.decided_by_id,
                "created_at": spend.decided_at,
            }
        )
        if spend.status == SpendStatus.PAID:
            paid = {"created_by_id": spend.paid_by_id, "created_at": spend.paid_at}
            entries.append(row | paid | {"kind": EntryKind.RELEASE, "note": PAYMENT_RELEASE_NOTE})
            entries.append(row | paid | {"kind": EntryKind.PAYMENT, "note": ""})
    top_ups = []
    by_team = {b.pk: b for b in budgets.values()}
    admins = {spend.budget_id: place.admin for spend, place in zip(spends, places, strict=True)}
    for budget_id, amount in sorted(needed.items()):
        budget = by_team[budget_id]
        available = budget.balances().available
        if amount <= available:
            continue
        # Rounded up to thousands with a fifth to spare, so the team can still request money in the demo.
        extra = Decimal(math.ceil(float(amount - available) * 1.2 / 1000) * 1000)
        admin = admins[budget_id]
        top_ups.append(
            {
                "budget_id": budget_id,
                "spend_id": None,
                "reverses_id": None,
                "amount": extra,
                "kind": EntryKind.ALLOCATION,
                "note": TOP_UP_NOTE,
                "created_by_id": admin.pk,
                "created_at": timezone.make_aware(
                    datetime.datetime.combine(budget.period_start, datetime.time(8))
                ),
            }
        )
    _insert(LedgerEntry, top_ups)
    _insert(LedgerEntry, entries)
    _insert(LegalityCheck, checks)
