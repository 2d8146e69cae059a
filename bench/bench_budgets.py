"""Approvals per second on PostgreSQL with 1 and 8 clients, next to pgbench's simple-update rate.

Run from the repository root: ``python bench/bench_budgets.py [--seconds N] [--keep-going]``.

It starts its own throwaway PostgreSQL server (the same initdb/pg_ctl steps as scripts/pg-test-server.sh:
loopback only, fsync off, in a temporary directory, removed afterwards), then in the same run and on the
same server:

* ``pgbench -i`` and ``pgbench -N -c 1`` / ``-c 8`` for ``--seconds`` each: the server's rate for a tiny
  write transaction (three updates and an insert), the ceiling any application transaction sits under;
* ``approve_spend`` through the real service, with 1 client and with 8 clients (processes, each with
  its own connection) approving requests against ONE budget, whose row lock serialises them (the worst case: a
  whole municipality approving against one team budget), and with 8 threads against 8 budgets (no
  shared lock, the usual case).

One approval is one transaction: lock the budget and the request, check the mandate, sum the ledger
(GROUP BY on the budget's entries), insert the commitment, update the request, write the access log.
The last line, ``SUMMARY``, gives every rate and the ratio approvals/pgbench for 1 and 8 clients.
"""

from __future__ import annotations

import argparse
import glob
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each timed run")
    parser.add_argument("--requests", type=int, default=20_000, help="spend requests prepared per budget set")
    return parser.parse_args()


def pg_bindir() -> str:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(d, "initdb"), os.X_OK):
            return d
    sys.exit("PostgreSQL server binaries not found: source scripts/pg-test-server.sh once to install them")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """initdb + pg_ctl in a temporary directory, as scripts/pg-test-server.sh does."""

    def __init__(self):
        self.bin = pg_bindir()
        self.dir = tempfile.mkdtemp(prefix="maatwerk-bench-pg.")
        self.port = free_port()
        self.runas = []
        if os.geteuid() == 0:
            user = "postgres"
            if subprocess.run(["id", user], capture_output=True).returncode != 0:
                user = "nobody"
            shutil.chown(self.dir, user)
            self.runas = ["runuser", "-u", user, "--"]

    def start(self) -> str:
        data = os.path.join(self.dir, "data")
        subprocess.run(
            [
                *self.runas,
                f"{self.bin}/initdb",
                "-D",
                data,
                "-U",
                "maatwerk",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            [
                *self.runas,
                f"{self.bin}/pg_ctl",
                "-D",
                data,
                "-l",
                os.path.join(self.dir, "server.log"),
                "-w",
                "-o",
                opts,
                "start",
            ],
            check=True,
            capture_output=True,
        )
        for db in ("maatwerk", "pgbench"):
            subprocess.run(
                [f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "maatwerk", db],
                check=True,
            )
        return f"postgres://maatwerk@127.0.0.1:{self.port}/maatwerk"

    def stop(self):
        subprocess.run(
            [*self.runas, f"{self.bin}/pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def pgbench(self, *args) -> str:
        out = subprocess.run(
            [
                f"{self.bin}/pgbench",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "maatwerk",
                *args,
                "pgbench",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout


def pgbench_tps(server: Server, clients: int, seconds: int) -> float:
    out = server.pgbench("-N", "-c", str(clients), "-j", str(clients), "-T", str(seconds))
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(
        r"tps = ([\d.]+)", out
    )
    return float(match.group(1))


def main() -> int:
    args = parse_args()
    server = Server()
    try:
        url = server.start()
        print(f"PostgreSQL {os.path.basename(os.path.dirname(server.bin))} at {url}")
        os.environ["DATABASE_URL"] = url
        os.environ["DJANGO_SETTINGS_MODULE"] = "maatwerk.settings"
        os.environ["DEBUG"] = "0"
        server.pgbench("-i", "-q", "-s", "8")
        return run(server, args)
    finally:
        server.stop()


def run(server: Server, args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from maatwerk.accounts.models import Membership, Municipality, Role, Team, User
    from maatwerk.budgets import services
    from maatwerk.budgets.models import Budget, Channel, EntryKind, LedgerEntry, Mandate, SpendRequest
    from maatwerk.cases.models import Case, Household

    call_command("migrate", verbosity=0)
    municipality = Municipality.objects.create(name="Benchdam", code="9999")
    admin = User.objects.create(username="admin")
    Membership.objects.create(user=admin, role=Role.ADMIN, municipality=municipality)
    Mandate.objects.create(municipality=municipality, channel=Channel.MAATWERKBUDGET, role=Role.TEAM_LEAD)

    def make_team(i: int):
        team = Team.objects.create(municipality=municipality, name=f"Team {i}")
        worker = User.objects.create(username=f"worker{i}")
        lead = User.objects.create(username=f"lead{i}")
        Membership.objects.create(user=worker, role=Role.WORKER, team=team, municipality=municipality)
        Membership.objects.create(user=lead, role=Role.TEAM_LEAD, team=team, municipality=municipality)
        household = Household.objects.create(municipality=municipality, team=team, name="H", search_key="h")
        case = Case.objects.create(municipality=municipality, team=team, household=household)
        return team, worker, lead, case

    import datetime

    teams = [make_team(i) for i in range(8)]

    def make_budget(team, n_requests: int):
        team, worker, _lead, case = team
        budget = Budget.objects.create(
            municipality=municipality,
            team=team,
            channel=Channel.MAATWERKBUDGET,
            period_start=datetime.date(2000, 1, 1) + datetime.timedelta(days=Budget.objects.count()),
            period_end=datetime.date(2099, 12, 31),
        )
        LedgerEntry.objects.create(
            budget=budget, kind=EntryKind.ALLOCATION, amount=Decimal("99999999"), created_by=admin
        )
        SpendRequest.objects.bulk_create(
            SpendRequest(
                municipality=municipality,
                team=team,
                budget=budget,
                case=case,
                channel=Channel.MAATWERKBUDGET,
                amount=Decimal("12.34"),
                creditor_name="X",
                iban="NL91ABNA0417164300",
                purpose="bench",
                legal_basis="rule_free",
                requested_by=worker,
            )
            for _ in range(n_requests)
        )
        return list(SpendRequest.objects.filter(budget=budget).values_list("pk", flat=True))

    def approvals_per_second(assignments, seconds: int) -> float:
        """assignments: one (lead, [spend ids]) per client; each client approves until time is up.

        Clients are processes (fork), each with its own connection, so that eight clients are not
        eight threads taking turns on one interpreter lock: the figure is the database's and Django's,
        not the GIL's.
        """
        ctx = multiprocessing.get_context("fork")
        budget_of = {}
        for _lead, ids in assignments:
            budget_of.update(SpendRequest.objects.filter(pk__in=ids).values_list("pk", "budget_id"))
        connection.close()  # never share a connection across fork
        start_event = ctx.Event()
        results = ctx.Queue()

        def work(lead_id, ids):
            lead = User.objects.get(pk=lead_id)
            start_event.wait()
            deadline = time.perf_counter() + seconds
            done = 0
            for pk in ids:
                if time.perf_counter() >= deadline:
                    break
                services.approve_spend(SpendRequest(pk=pk, budget_id=budget_of[pk]), by=lead)
                done += 1
            connections["default"].close()
            results.put((done, done == len(ids)))

        procs = [ctx.Process(target=work, args=(lead.pk, ids)) for lead, ids in assignments]
        for p in procs:
            p.start()
        time.sleep(1.0)  # let every client connect and load its user first
        started = time.perf_counter()
        start_event.set()
        outcomes = [results.get() for _ in procs]
        elapsed = time.perf_counter() - started
        for p in procs:
            p.join()
        if any(exhausted for _done, exhausted in outcomes):
            print("  (a client ran out of prepared requests: raise --requests)")
        return sum(done for done, _ in outcomes) / elapsed

    # The approver must not be the requester: a lead of the same team approves the worker's requests.
    n = args.requests
    print(f"preparing requests ({n} per budget set) ...")
    one = make_budget(teams[0], n)
    one_8 = make_budget(teams[0], n)
    many = [make_budget(teams[i], max(n // 4, 1000)) for i in range(8)]
    connection.close()

    s = args.seconds
    print(f"pgbench -N, {s} s per run ...")
    pg1 = pgbench_tps(server, 1, s)
    pg8 = pgbench_tps(server, 8, s)
    print(f"  pgbench simple-update: 1 client {pg1:,.0f} tps, 8 clients {pg8:,.0f} tps")

    print(f"approve_spend, {s} s per run ...")
    lead0 = teams[0][2]
    a1 = approvals_per_second([(lead0, one)], s)
    a8_one = approvals_per_second([(lead0, one_8[i::8]) for i in range(8)], s)
    a8_many = approvals_per_second([(teams[i][2], many[i]) for i in range(8)], s)
    print(
        f"  1 client: {a1:,.0f}/s; 8 clients on one budget: {a8_one:,.0f}/s; 8 clients on 8 budgets: "
        f"{a8_many:,.0f}/s"
    )

    # Sanity: the ledger still balances after all of it.
    for budget in Budget.objects.all():
        b = services.balances(budget)
        assert b.available >= 0 and b.available == b.allocated - b.committed - b.paid
    print(
        f"SUMMARY pgbench_tps_1={pg1:.0f} pgbench_tps_8={pg8:.0f} approvals_1={a1:.0f} "
        f"approvals_8_one_budget={a8_one:.0f} approvals_8_eight_budgets={a8_many:.0f} "
        f"ratio_1={a1 / pg1:.3f} ratio_8_one_budget={a8_one / pg8:.3f} "
        f"ratio_8_eight_budgets={a8_many / pg8:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
