"""The SQL of one approval, pinned: it is the hot path of bench/bench_budgets.py (see bench/README.md).

The approval's own statements are counted exactly; those of the mandate rules (`rules.approval_refusal`)
separately, with room for a rule that needs one or two more. Transaction control (BEGIN, COMMIT,
savepoints) is not counted: it depends on whether the test or the caller holds a transaction.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maatwerk.accounts.models import AccessLog, User
from maatwerk.budgets import rules, services
from maatwerk.budgets.models import EntryKind, LedgerEntry, SpendRequest, SpendStatus

from .factories import college_member, request

# Lock the budget, lock the request (the rung it was routed to and the case's household read along), sum
# the ledger, then the three writes (the commitment, the request's status, the audit row): one statement
# on PostgreSQL, which runs them together in a WITH, three on SQLite.
WRITES = 1 if connection.vendor == "postgresql" else 3
OWN_STATEMENTS = 3 + WRITES
# With a key: the key is looked up (after the budget's lock, taken once) and stored.
OWN_STATEMENTS_KEYED = OWN_STATEMENTS + 2
# The approver's memberships (read once per request); the mandates of the channel only when the approver
# does not hold the rung the request was routed to.
RULE_STATEMENTS_MAX = 2

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _approve_counted(monkeypatch, spend, by, key=None):
    """Approve and return (own statements, rule statements, result)."""
    spans = []
    refusal = rules.approval_refusal

    def counted_refusal(*args, **kwargs):
        start = len(ctx.captured_queries)
        try:
            return refusal(*args, **kwargs)
        finally:
            spans.append(len(ctx.captured_queries) - start)

    monkeypatch.setattr(rules, "approval_refusal", counted_refusal)
    with CaptureQueriesContext(connection) as ctx:
        result = services.approve_spend(spend, by=by, idempotency_key=key)
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    in_rules = sum(spans)
    return len(statements) - in_rules, in_rules, result


def _fresh(user) -> User:
    """The user as a new request loads it: no memberships read yet."""
    return User.objects.get(pk=user.pk)


def test_an_approval_takes_four_statements_of_its_own_on_postgresql_and_one_for_the_rules(setup, monkeypatch):
    world, case, _budget = setup
    spend = request(world.alice, case)
    own, in_rules, result = _approve_counted(
        monkeypatch, SpendRequest(pk=spend.pk, budget_id=spend.budget_id), _fresh(world.dave)
    )
    assert result.status == SpendStatus.APPROVED
    assert own == OWN_STATEMENTS
    assert in_rules == 1  # the routed rung is held: no query for the mandates


def test_a_higher_rung_approving_costs_the_rules_one_query_more(setup, monkeypatch):
    world, case, _budget = setup
    spend = request(world.alice, case)  # routed to the team lead
    own, in_rules, result = _approve_counted(monkeypatch, spend, _fresh(college_member(world.eindhoven)))
    assert result.status == SpendStatus.APPROVED
    assert own == OWN_STATEMENTS and in_rules == RULE_STATEMENTS_MAX


def test_a_keyed_approval_locks_the_budget_once(setup, monkeypatch):
    world, case, _budget = setup
    spend = request(world.alice, case)
    own, in_rules, _result = _approve_counted(monkeypatch, spend, _fresh(world.dave), key="key-1")
    assert own == OWN_STATEMENTS_KEYED
    assert in_rules <= RULE_STATEMENTS_MAX
    # The retry finds the key after the budget's lock and books nothing: two statements, no rules.
    own, in_rules, result = _approve_counted(monkeypatch, spend, _fresh(world.dave), key="key-1")
    assert (own, in_rules) == (2, 0)
    assert result.pk == spend.pk
    assert LedgerEntry.objects.filter(spend=spend, kind=EntryKind.COMMITMENT).count() == 1


def test_the_rows_written_in_plain_sql_read_back_as_the_orm_writes_them(setup):
    world, case, budget = setup
    before = timezone.now()
    spend = request(world.alice, case, "123.45")
    services.approve_spend(spend, by=world.dave)
    after = timezone.now()

    spend.refresh_from_db()
    assert spend.status == SpendStatus.APPROVED
    assert spend.decided_by == world.dave
    assert before <= spend.decided_at <= after

    entry = LedgerEntry.objects.get(spend=spend)
    assert (entry.budget_id, entry.kind, entry.amount, entry.created_by) == (
        budget.pk,
        EntryKind.COMMITMENT,
        Decimal("123.45"),
        world.dave,
    )
    assert entry.note == "" and entry.reverses is None
    assert before <= entry.created_at <= after
    assert budget.balances().available == Decimal("876.55")

    # Newest first: the approval's row sorts after the request's row written by the ORM (on SQLite the
    # times are compared as text, so both must be written in the same form).
    row = AccessLog.objects.filter(object_type="budgets.spendrequest", object_id=str(spend.pk)).first()
    assert (row.user, row.action, row.purpose, row.household_id, row.municipality_id) == (
        world.dave,
        AccessLog.Action.UPDATE,
        "approve spend",
        case.household_id,
        world.eindhoven.pk,
    )
    assert row.path == "" and row.changes == {}
    assert before <= row.at <= after
    assert row.at.tzinfo is not None and row.at.utcoffset() == datetime.timedelta(0)


def test_an_approval_above_the_balance_writes_nothing(setup):
    world, case, budget = setup
    spend = request(world.alice, case, "900.00")
    other = request(world.alice, case, "200.00")
    services.approve_spend(spend, by=world.dave)
    with pytest.raises(ValidationError) as refused:
        services.approve_spend(other, by=world.dave)
    assert "€ 100,00" in refused.value.message_dict["amount"][0]
    other.refresh_from_db()
    assert other.status == SpendStatus.REQUESTED
    assert not LedgerEntry.objects.filter(spend=other).exists()
    assert budget.balances().available == Decimal("100.00")
