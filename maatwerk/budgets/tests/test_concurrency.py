"""50 approvals at once against a budget that fits 10: exactly 10 pass, on SQLite and on PostgreSQL.

Each thread has its own database connection. On PostgreSQL the test database is shared by all
connections already. SQLite's default test database lives in memory, and its shared-cache mode answers a
concurrent writer with "table is locked" instead of waiting, which is not how the application runs; so
for SQLite the test copies the prepared database into a temporary file (sqlite3's backup API) and points
the threads' connections at it, with the settings' own options (BEGIN IMMEDIATE, busy timeout, WAL).
The approvals run a second time with that file named the way DATABASE_URL names it (sqlite:////path),
which must get the same options: without them 28 of 40 approvals failed with "database is locked".
"""

import os
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from decimal import Decimal

import dj_database_url
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from maatwerk.budgets import services
from maatwerk.budgets.models import (
    LedgerEntry,
    PaymentBatchClosure,
    PaymentBatchItem,
    SpendRequest,
    SpendStatus,
)
from maatwerk.lib import ledger
from maatwerk.settings import with_sqlite_options

from .factories import EXECUTION_DATE, make_budget, make_case, request, standard_mandates

N_REQUESTS = 50
FITS = 10


@contextmanager
def shared_database(named_by_url=False):
    """Yields a function that runs `fn` in a new thread with its own connection to the test database.

    With `named_by_url` the SQLite copy is configured as settings.py configures a DATABASE_URL.
    """
    path = None
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        fd, path = tempfile.mkstemp(suffix=".sqlite3")
        os.close(fd)
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

    def in_thread(fn, *args):
        conn = connections["default"]
        if path is not None and named_by_url:
            from_url = with_sqlite_options(dj_database_url.parse("sqlite:///" + path))
            conn.settings_dict = {
                **conn.settings_dict,
                "NAME": from_url["NAME"],
                "OPTIONS": from_url.get("OPTIONS", {}),
            }
        elif path is not None:
            conn.settings_dict = {**conn.settings_dict, "NAME": path}
        try:
            return fn(*args)
        finally:
            conn.close()

    try:
        yield in_thread
    finally:
        if path is not None:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)


def run_threads(in_thread, fn, args_list):
    results = [None] * len(args_list)
    barrier = threading.Barrier(len(args_list))

    def target(i, args):
        def call():
            barrier.wait()
            return fn(*args)

        results[i] = in_thread(call)

    threads = [threading.Thread(target=target, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


# Not serialized_rollback: restoring the serialized rows clashes with the content types that the flush
# after any other transactional test (a browser test) recreates, and the setup fails on a UNIQUE constraint.
# conftest's _seed_data_present puts the catalogue seeds back instead.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("named_by_url", [False, True], ids=["settings", "database_url"])
def test_fifty_parallel_approvals_against_a_budget_for_ten(world, named_by_url):
    if named_by_url and connection.vendor != "sqlite":
        pytest.skip("SQLite named by DATABASE_URL; this run uses " + connection.vendor)
    standard_mandates(world.eindhoven)
    case = make_case(world.team_a)
    budget = make_budget(world, amount=str(FITS * 100))
    spend_ids = [request(world.alice, case, "100.00").pk for _ in range(N_REQUESTS)]

    def approve(spend_id):
        try:
            services.approve_spend(SpendRequest.objects.get(pk=spend_id), by=world.dave)
        except ValidationError as exc:
            return exc.message_dict
        return "approved"

    def outcome():
        statuses = list(SpendRequest.objects.filter(pk__in=spend_ids).values_list("status", flat=True))
        rows = list(LedgerEntry.objects.filter(budget=budget).values_list("kind", "amount"))
        return statuses, rows

    with shared_database(named_by_url) as in_thread:
        results = run_threads(in_thread, approve, [(pk,) for pk in spend_ids])
        statuses, rows = run_threads(in_thread, outcome, [()])[0]

    approved = [r for r in results if r == "approved"]
    refused = [r for r in results if r != "approved"]
    assert len(approved) == FITS, results
    assert len(refused) == N_REQUESTS - FITS
    # Every refusal says why: not enough budget left (and how much is left).
    for errors in refused:
        assert list(errors) == ["amount"], errors
        assert "€ 0,00" in errors["amount"][0]
    assert statuses.count(SpendStatus.APPROVED) == FITS
    b = ledger.balances(rows)
    assert (b.allocated, b.committed, b.available) == (Decimal("1000"), Decimal("1000"), Decimal("0"))
    assert sum(1 for kind, _ in rows if kind == "commitment") == FITS


def _approved_spends(world, n=4):
    """`n` approved transfers, half on team A's budget and half on the municipality's special assistance."""
    standard_mandates(world.eindhoven, bb_user=world.lars)
    case = make_case(world.team_a)
    make_budget(world, amount="1000.00")
    make_budget(world, channel="bijzondere_bijstand", amount="1000.00", municipality_wide=True)
    ids = []
    for i in range(n):
        if i % 2:
            spend = request(world.alice, case, "100.00", channel="bijzondere_bijstand")
            services.approve_spend(spend, by=world.lars)
        else:
            spend = request(world.alice, case, "100.00")
            services.approve_spend(spend, by=world.dave)
        ids.append(spend.pk)
    return ids


def _export(world):
    return services.export_payment_batch(
        by=world.adam,
        municipality=world.eindhoven,
        debtor_name="Gemeente Eindhoven",
        debtor_iban="NL02ABNA0123456789",
        execution_date=EXECUTION_DATE,
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_exports_never_put_a_transfer_in_two_open_batches(world):
    spend_ids = _approved_spends(world)

    def export():
        try:
            return _export(world).pk
        except ValidationError as exc:
            return exc.message_dict

    def items():
        return list(PaymentBatchItem.objects.values_list("spend_id", flat=True))

    with shared_database() as in_thread:
        results = run_threads(in_thread, export, [() for _ in range(6)])
        exported = run_threads(in_thread, items, [()])[0]

    batches = [r for r in results if isinstance(r, int)]
    assert len(batches) == 1, results
    assert all(list(r) == ["spends"] for r in results if not isinstance(r, int)), results
    assert sorted(exported) == sorted(spend_ids)


@pytest.mark.django_db(transaction=True)
def test_batch_payment_racing_single_payments_pays_each_spend_once(world):
    spend_ids = _approved_spends(world)
    batch = _export(world)

    def pay_batch():
        try:
            services.mark_batch_paid(batch, by=world.adam)
        except ValidationError as exc:
            return exc.message_dict
        return "paid"

    def pay_one(spend_id):
        try:
            services.pay_spend(SpendRequest.objects.get(pk=spend_id), by=world.adam)
        except ValidationError as exc:
            return exc.message_dict
        return "paid"

    def outcome():
        statuses = list(SpendRequest.objects.filter(pk__in=spend_ids).values_list("status", flat=True))
        payments = list(
            LedgerEntry.objects.filter(kind="payment").values_list("spend_id", flat=True).order_by("spend_id")
        )
        rows = list(LedgerEntry.objects.values_list("kind", "amount"))
        closed = PaymentBatchClosure.objects.filter(batch_id=batch.pk).exists()
        return statuses, payments, rows, closed

    calls = [(pay_batch,)] + [(pay_one, pk) for pk in spend_ids]
    with shared_database() as in_thread:
        results = run_threads(in_thread, lambda fn, *args: fn(*args), calls)
        statuses, payments, rows, closed = run_threads(in_thread, outcome, [()])[0]

    # Whoever wins, every spend is paid exactly once and the two budgets together add up.
    assert statuses == [SpendStatus.PAID] * len(spend_ids)
    assert payments == sorted(spend_ids)
    b = ledger.balances(rows)
    assert (b.committed, b.paid, b.available) == (Decimal("0"), Decimal("400"), Decimal("1600"))
    batch_result, single_results = results[0], results[1:]
    assert closed == (batch_result == "paid")
    if batch_result == "paid":
        assert all(r != "paid" for r in single_results), results
    else:
        assert "status" in batch_result, results
