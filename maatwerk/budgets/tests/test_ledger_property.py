"""Stateful property test: whatever happens, the ledger identity holds and nothing is overspent."""

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from maatwerk.accounts.models import Team
from maatwerk.budgets import services
from maatwerk.budgets.models import Budget, Channel, SpendStatus

from .factories import PERIOD, make_case, request, standard_mandates

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("600"), places=2)
counter = itertools.count()


@pytest.mark.django_db
def test_ledger_identity_holds_for_any_sequence(world):
    standard_mandates(world.eindhoven)

    class LedgerMachine(RuleBasedStateMachine):
        spends = Bundle("spends")
        allocations = Bundle("allocations")

        def __init__(self):
            super().__init__()
            # A fresh team and budget per example: examples share the test's transaction.
            team = Team.objects.create(municipality=world.eindhoven, name=f"Machine {next(counter)}")
            from conftest import make_user
            from maatwerk.accounts.models import Role

            n = next(counter)
            self.worker = make_user(f"w{n}", Role.WORKER, team=team)
            self.lead = make_user(f"l{n}", Role.TEAM_LEAD, team=team)
            self.case = make_case(team)
            self.budget = Budget.objects.create(
                municipality=world.eindhoven,
                team=team,
                channel=Channel.MAATWERKBUDGET,
                period_start=PERIOD[0],
                period_end=PERIOD[1],
            )
            # The model: what the balances must be, computed independently of the ledger.
            self.allocated = self.committed = self.paid = Decimal(0)
            self.status = {}
            self.reversed_allocations = set()

        @property
        def available(self):
            return self.allocated - self.committed - self.paid

        @rule(target=allocations, amount=amounts)
        def allocate(self, amount):
            entry = services.allocate(self.budget, by=world.adam, amount=amount)
            self.allocated += amount
            return entry

        @rule(entry=allocations)
        def reverse_allocation(self, entry):
            ok = entry.pk not in self.reversed_allocations and entry.amount <= self.available
            try:
                services.reverse_allocation(entry, by=world.adam, reason="correctie")
            except ValidationError:
                assert not ok
            else:
                assert ok
                self.reversed_allocations.add(entry.pk)
                self.allocated -= entry.amount

        @rule(target=spends, amount=amounts)
        def request(self, amount):
            # A request for more than is available now is refused at once, naming what is left.
            try:
                spend = request(self.worker, self.case, str(amount))
            except ValidationError as exc:
                assert amount > self.available
                assert "beschikbaar" in exc.message_dict["amount"][0]
                return multiple()
            assert amount <= self.available
            self.status[spend.pk] = SpendStatus.REQUESTED
            return spend

        @rule(spend=spends)
        def approve(self, spend):
            ok = self.status[spend.pk] == SpendStatus.REQUESTED and spend.amount <= self.available
            try:
                services.approve_spend(spend, by=self.lead)
            except ValidationError:
                assert not ok
            else:
                assert ok
                self.committed += spend.amount
                self.status[spend.pk] = SpendStatus.APPROVED

        @rule(spend=spends)
        def reject(self, spend):
            ok = self.status[spend.pk] == SpendStatus.REQUESTED
            try:
                services.reject_spend(spend, by=self.lead, reason="nee")
            except ValidationError:
                assert not ok
            else:
                assert ok
                self.status[spend.pk] = SpendStatus.REJECTED

        @rule(spend=spends)
        def cancel(self, spend):
            was = self.status[spend.pk]
            ok = was in (SpendStatus.REQUESTED, SpendStatus.APPROVED)
            try:
                services.cancel_spend(spend, by=self.worker, reason="niet nodig")
            except ValidationError:
                assert not ok
            else:
                assert ok
                if was == SpendStatus.APPROVED:
                    self.committed -= spend.amount
                self.status[spend.pk] = SpendStatus.CANCELLED

        @rule(spend=spends)
        def pay(self, spend):
            ok = self.status[spend.pk] == SpendStatus.APPROVED
            try:
                services.pay_spend(spend, by=world.adam)
            except ValidationError:
                assert not ok
            else:
                assert ok
                self.committed -= spend.amount
                self.paid += spend.amount
                self.status[spend.pk] = SpendStatus.PAID

        @rule(spend=spends)
        def reverse(self, spend):
            ok = self.status[spend.pk] == SpendStatus.PAID
            try:
                services.reverse_payment(spend, by=world.adam, reason="retour bank")
            except ValidationError:
                assert not ok
            else:
                assert ok
                self.committed += spend.amount
                self.paid -= spend.amount
                self.status[spend.pk] = SpendStatus.APPROVED

        @invariant()
        def ledger_matches_model(self):
            b = self.budget.balances()
            assert b.available == b.allocated - b.committed_gross - b.paid + b.released
            assert b.available >= 0
            assert b.committed >= 0
            assert (b.allocated, b.committed, b.paid, b.available) == (
                self.allocated,
                self.committed,
                self.paid,
                self.available,
            )

    run_state_machine_as_test(
        LedgerMachine, settings=settings(max_examples=30, deadline=None, stateful_step_count=30)
    )
