"""Approvals per second on PostgreSQL with 1 and 8 clients, next to pgbench's simple-update rate.

Run from the repository root: ``python bench/bench_budgets.py [--seconds N] [--rounds R]``.

It starts its own throwaway PostgreSQL server (the same initdb/pg_ctl steps as scripts/pg-test-server.sh:
loopback only, fsync off, in a temporary directory, removed afterwards), then in the same run and on the
same server, in R rounds (default 5) of N / R seconds each, taking turns so that other work on the
machine slows both sides of a ratio alike:

* ``pgbench -N -c 1`` / ``-c 8``: the server's rate for a tiny write transaction (three updates and an
  insert), the ceiling any application transaction sits under;
* ``approve_spend`` through the real service, with 1 client and with 8 clients (processes, each with
  its own connection) approving requests against ONE budget, whose row lock serialises them (the worst case: a
  whole municipality approving against one team budget), and with 8 clients against 8 budgets (no
  shared lock, the usual case).

One approval is one transaction: lock the budget and the request, check the mandate, sum the ledger
(GROUP BY on the budget's entries), then insert the commitment, update the request and write the access
log (one statement). First it prints the SQL of one approval. Per round it prints every rate; then the
medians, with the CPU time per approval of the client process and of its server backend (read from
/proc), which depend far less on how busy the machine is than the rates. The last line, ``SUMMARY``, gives
the medians and the median of the rounds' ratios approvals/pgbench for 1 and 8 clients.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from pgserver import free_port, pg_bindir

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each timed run, over all rounds")
    parser.add_argument(
        "--rounds", type=int, default=5, help="pgbench and the approvals take turns this often"
    )
    parser.add_argument("--requests", type=int, default=20_000, help="spend requests prepared per budget set")
    return parser.parse_args()


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


def backend_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far (a server backend runs on this machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    # The team leads' rung, without a limit: every request is routed to it (as request_spend would).
    rung = Mandate.objects.create(
        municipality=municipality, channel=Channel.MAATWERKBUDGET, role=Role.TEAM_LEAD, title="Teamleider"
    )

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
                approver_mandate=rung,
            )
            for _ in range(n_requests)
        )
        return list(SpendRequest.objects.filter(budget=budget).values_list("pk", flat=True))

    def print_statements(team):
        """The SQL of one approval as in a new web request (the approver's memberships not read yet)."""
        from django.test.utils import CaptureQueriesContext

        ids = make_budget(team, 3)
        lead = User.objects.get(pk=team[2].pk)
        spend = SpendRequest.objects.get(pk=ids[0])
        with CaptureQueriesContext(connection) as ctx:
            services.approve_spend(spend, by=lead)
        print(f"one approval, {len(ctx.captured_queries)} statements (the bench's clients reuse the user:")
        print("  its memberships are read once, not per approval):")
        for query in ctx.captured_queries:
            print(f"    {query['sql'][:110]}")
        connection.close()

    def approvals_per_second(assignments, seconds: float) -> tuple[float, float, float]:
        """assignments: one (lead, [spend ids]) per client; each client approves until time is up.

        Returns (approvals per second, client CPU ms and server CPU ms per approval). Clients are
        processes (fork), each with its own connection, so that eight clients are not eight threads
        taking turns on one interpreter lock: the figure is the database's and Django's, not the GIL's.
        The CPU times (the client's own, its server backend's from /proc) do not depend on how busy the
        machine is, the rates do.
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
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            start_event.wait()
            cpu, server = time.process_time(), backend_cpu(backend)
            deadline = time.perf_counter() + seconds
            done = 0
            for pk in ids:
                if time.perf_counter() >= deadline:
                    break
                services.approve_spend(SpendRequest(pk=pk, budget_id=budget_of[pk]), by=lead)
                done += 1
            cpu, server = time.process_time() - cpu, backend_cpu(backend) - server
            connections["default"].close()
            results.put((done, done == len(ids), cpu, server))

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
        if any(exhausted for _done, exhausted, _cpu, _server in outcomes):
            print("  (a client ran out of prepared requests: raise --requests)")
        done = sum(o[0] for o in outcomes)
        cpu = sum(o[2] for o in outcomes) / max(done, 1) * 1000
        server = sum(o[3] for o in outcomes) / max(done, 1) * 1000
        return done / elapsed, cpu, server

    # The approver must not be the requester: a lead of the same team approves the worker's requests.
    n = args.requests
    print(f"preparing requests ({n} per budget set) ...")
    one = make_budget(teams[0], n)
    one_8 = make_budget(teams[0], n)
    many = [make_budget(teams[i], max(n // 4, 1000)) for i in range(8)]
    connection.close()

    print_statements(teams[0])

    # pgbench and the approvals take turns, in rounds of --seconds / --rounds each: other work on the
    # machine then slows both sides of a ratio alike, and the ratio is the median of the rounds'.
    rounds = max(1, args.rounds)
    s = max(1, round(args.seconds / rounds))
    print(f"{rounds} rounds of pgbench -N and approve_spend, {s} s each ...")
    lead0 = teams[0][2]
    runs = {"1": [], "8_one_budget": [], "8_eight_budgets": []}
    for r in range(rounds):
        pg1 = pgbench_tps(server, 1, s)
        a1 = approvals_per_second([(lead0, one[r::rounds])], s)
        pg8 = pgbench_tps(server, 8, s)
        a8_one = approvals_per_second([(lead0, one_8[r::rounds][i::8]) for i in range(8)], s)
        a8_many = approvals_per_second([(teams[i][2], many[i][r::rounds]) for i in range(8)], s)
        runs["1"].append((pg1, *a1))
        runs["8_one_budget"].append((pg8, *a8_one))
        runs["8_eight_budgets"].append((pg8, *a8_many))
        print(
            f"  round {r + 1}: pgbench {pg1:,.0f} / {pg8:,.0f} tps (1 / 8 clients); approvals 1 client "
            f"{a1[0]:,.0f}/s, 8 on one budget {a8_one[0]:,.0f}/s, 8 on 8 budgets {a8_many[0]:,.0f}/s"
        )

    # Sanity: the ledger still balances after all of it.
    for budget in Budget.objects.all():
        b = services.balances(budget)
        assert b.available >= 0 and b.available == b.allocated - b.committed - b.paid

    summary = {}
    for name, rows in runs.items():
        summary[f"pgbench_tps_{name[0]}"] = statistics.median(row[0] for row in rows)
        summary[f"approvals_{name}"] = statistics.median(row[1] for row in rows)
        summary[f"ratio_{name}"] = statistics.median(row[1] / row[0] for row in rows)
        summary[f"client_cpu_ms_{name}"] = statistics.median(row[2] for row in rows)
        summary[f"server_cpu_ms_{name}"] = statistics.median(row[3] for row in rows)
    print(
        "  medians: 1 client {approvals_1:,.0f}/s (ratio {ratio_1:.3f}, CPU {client_cpu_ms_1:.2f} ms client"
        " + {server_cpu_ms_1:.2f} ms server per approval); 8 on one budget {approvals_8_one_budget:,.0f}/s "
        "(ratio {ratio_8_one_budget:.3f}); 8 on 8 budgets {approvals_8_eight_budgets:,.0f}/s "
        "(ratio {ratio_8_eight_budgets:.3f})".format(**summary)
    )
    print(
        "SUMMARY "
        + " ".join(
            f"{key}={value:.3f}" if key.startswith(("ratio", "client", "server")) else f"{key}={value:.0f}"
            for key, value in summary.items()
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
