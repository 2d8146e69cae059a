"""The municipality and national dashboards on PostgreSQL at scale, next to one hand-written SQL query.

Run from the repository root: ``python bench/bench_insights.py [--households N] [--pgdata DIR] [--reps N]``.

It starts a throwaway PostgreSQL server (the initdb/pg_ctl steps of scripts/pg-test-server.sh: loopback
only, fsync off), migrates, and loads ``demo --households N`` (1,000,000 by default) when the database has no
cases. Without ``--pgdata`` the server lives in a temporary directory that is removed afterwards; with
``--pgdata DIR`` (outside the repository) the cluster is made there once and kept, so a 1M database is built
once and reused by later runs (a server already running on DIR is used and left running).

Then it runs ``manage.py refresh_insights`` once (timed: it rebuilds insights.CaseFact/CaseCube/BudgetMonth),
checks the cube's totals against the base tables, logs in through django.test.Client as the demo policy user
of the largest municipality and as ``landelijk.programme``, and times GET of the dashboard for every row of
PAGES below: warm-up, then --reps requests, in --rounds rounds. In the same rounds, interleaved (the machine
is shared: a busy spell then slows both sides of a ratio), it times SQL_HEADLINE through a raw psycopg
connection for each page's scope: the same headline figures computed live from the base tables.

The ``SUMMARY`` lines give per page p50 and p95 in ms, the SQL p50 of its scope, their ratio and whether
the aims of issue #12 hold (page p50 at most 1.5 times the query's, p95 under 500 ms). Until the dashboard
exists (``insights:dashboard`` does not resolve) only the SQL and the refresh are timed, and it says so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgserver import free_port, pg_bindir

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The timed pages: (label, demo user, query parameters, scope of the SQL it is compared with). "policy" is
# `<slug>.policy` of the largest municipality, "programme" is landelijk.programme; the value "$m" stands for
# that municipality's id. A scope has the keys of SQL_HEADLINE's filters: municipality, period_from and
# period_to (months, inclusive: cases opened in them) and domain (a LifeDomain value).
PERIOD = {"period_from": "2025-01", "period_to": "2026-12"}
PAGES = [
    ("municipality", "policy", {}, {"municipality": "$m"}),
    ("municipality, period", "policy", PERIOD, {"municipality": "$m", **PERIOD}),
    ("municipality, domain 1", "policy", {"domain": 1}, {"municipality": "$m", "domain": 1}),
    ("nation", "programme", {}, {}),
    ("nation, one municipality", "programme", {"municipality": "$m"}, {"municipality": "$m"}),
    ("nation, period", "programme", PERIOD, PERIOD),
    ("nation, domain 1", "programme", {"domain": 1}, {"domain": 1}),
]

# The headline figures of a dashboard, live from the base tables, in one statement: cases by status, new
# cases per month, approved or paid spend by channel, the business cases (latest version of each) with the
# sum and mean of their expected net, the 3- and 12-month follow-ups done and back in trouble, the client
# grades (mean and count) and the hours booked. {where} filters cases_case (see headline_sql).
SQL_HEADLINE = """
WITH c AS (
    SELECT id, status, opened_on FROM cases_case WHERE {where}
),
latest AS (
    SELECT DISTINCT ON (v.business_case_id) v.expected_net
    FROM businesscases_businesscaseversion v
    JOIN businesscases_businesscase b ON b.id = v.business_case_id
    JOIN c ON c.id = b.case_id
    ORDER BY v.business_case_id, v.number DESC
)
SELECT json_build_object(
    'status', (
        SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM c GROUP BY status) s
    ),
    'new_per_month', (
        SELECT json_object_agg(month, n ORDER BY month)
        FROM (SELECT to_char(opened_on, 'YYYY-MM') AS month, count(*) AS n FROM c GROUP BY 1) s
    ),
    'spend', (
        SELECT json_object_agg(channel, total)
        FROM (
            SELECT r.channel, sum(r.amount) AS total
            FROM budgets_spendrequest r JOIN c ON c.id = r.case_id
            WHERE r.status IN ('approved', 'paid')
            GROUP BY r.channel
        ) s
    ),
    'business_cases', (
        SELECT json_build_object('n', count(*), 'sum', sum(expected_net), 'mean', avg(expected_net))
        FROM latest
    ),
    'followups', (
        SELECT json_object_agg(kind, json_build_object('done', done, 'trouble', trouble))
        FROM (
            SELECT f.kind, count(*) FILTER (WHERE f.done_on IS NOT NULL) AS done,
                   count(*) FILTER (WHERE f.done_on IS NOT NULL AND f.back_in_trouble) AS trouble
            FROM cases_followup f JOIN c ON c.id = f.case_id
            GROUP BY f.kind
        ) s
    ),
    'grades', (SELECT json_build_object('n', count(*), 'mean', avg(g.grade))
               FROM cases_feedback g JOIN c ON c.id = g.case_id),
    'hours', (SELECT sum(t.hours) FROM cases_timeentry t JOIN c ON c.id = t.case_id)
)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--households", type=int, default=1_000_000, help="demo households loaded into an empty database"
    )
    parser.add_argument(
        "--pgdata", help="keep the PostgreSQL cluster in this directory (outside the repository) and reuse it"
    )
    parser.add_argument("--port", type=int, help="port of the server (default: a free one)")
    parser.add_argument("--reps", type=int, default=50, help="timed requests per page")
    parser.add_argument("--sql-reps", type=int, default=20, help="timed runs of the SQL per scope")
    parser.add_argument("--rounds", type=int, default=5, help="pages and SQL take turns this often")
    parser.add_argument("--no-refresh", action="store_true", help="do not run refresh_insights first")
    return parser.parse_args()


class Server:
    """initdb + pg_ctl as scripts/pg-test-server.sh does, in a temporary directory or in a kept one."""

    def __init__(self, pgdata: str | None, port: int | None):
        self.bin = pg_bindir()
        self.kept = pgdata is not None
        if self.kept:
            self.data = os.path.abspath(pgdata)
            if Path(self.data).is_relative_to(ROOT):
                sys.exit(f"--pgdata {self.data} is inside the repository: choose a directory outside it")
            self.dir = self.data  # the socket and the log live in the cluster's directory
        else:
            self.dir = tempfile.mkdtemp(prefix="maatwerk-bench-pg.")
            self.data = os.path.join(self.dir, "data")
        self.port = port or free_port()
        self.started = False
        self.runas = []
        self.user = None
        if os.geteuid() == 0:
            # The server refuses to run as root.
            self.user = "postgres"
            if subprocess.run(["id", self.user], capture_output=True).returncode != 0:
                self.user = "nobody"
            self.runas = ["runuser", "-u", self.user, "--"]

    def _run(self, *cmd, **kwargs):
        return subprocess.run([*self.runas, *cmd], check=True, capture_output=True, **kwargs)

    def running_port(self) -> int | None:
        """The port of a server already running on a kept cluster (line 4 of postmaster.pid)."""
        pid_file = Path(self.data, "postmaster.pid")
        if not pid_file.exists():
            return None
        status = subprocess.run(
            [*self.runas, f"{self.bin}/pg_ctl", "-D", self.data, "status"], capture_output=True
        )
        return int(pid_file.read_text().splitlines()[3]) if status.returncode == 0 else None

    def start(self) -> str:
        fresh = not Path(self.data, "PG_VERSION").exists()
        if self.kept and not fresh and (port := self.running_port()):
            self.port = port
            print(f"using the server already running on {self.data}")
            return self.url()
        if fresh:
            Path(self.data).mkdir(parents=True, exist_ok=True)
            if self.user:
                shutil.chown(self.dir, self.user)
                shutil.chown(self.data, self.user)
            self._run(
                f"{self.bin}/initdb",
                "-D",
                self.data,
                "-U",
                "maatwerk",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = os.path.join(self.data if self.kept else self.dir, "bench-server.log")
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-l", log, "-w", "-o", opts, "start")
        self.started = True
        if fresh:
            subprocess.run(
                [
                    f"{self.bin}/createdb",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "maatwerk",
                    "maatwerk",
                ],
                check=True,
            )
        return self.url()

    def url(self) -> str:
        return f"postgres://maatwerk@127.0.0.1:{self.port}/maatwerk"

    def stop(self):
        if self.started:
            subprocess.run(
                [*self.runas, f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast", "stop"],
                capture_output=True,
            )
        if not self.kept:
            shutil.rmtree(self.dir, ignore_errors=True)


def main() -> int:
    args = parse_args()
    server = Server(args.pgdata, args.port)
    try:
        url = server.start()
        where = f" (kept in {server.data})" if server.kept else ""
        print(f"PostgreSQL {os.path.basename(os.path.dirname(server.bin))} at {url}{where}")
        os.environ["DATABASE_URL"] = url
        os.environ["DJANGO_SETTINGS_MODULE"] = "maatwerk.settings"
        # Query logging under DEBUG would measure Django's debug bookkeeping, not the pages.
        os.environ["DEBUG"] = "0"
        return run(url, args)
    finally:
        server.stop()


def headline_sql(scope: dict) -> tuple[str, dict]:
    """SQL_HEADLINE with the scope's filters on cases_case; only the filters in use appear, so the planner
    sees each scope's query as the dashboard's would be written by hand."""
    where, params = ["true"], {}
    if scope.get("municipality"):
        where.append("municipality_id = %(municipality)s")
        params["municipality"] = scope["municipality"]
    if scope.get("period_from"):
        where.append("opened_on >= to_date(%(period_from)s, 'YYYY-MM')")
        params["period_from"] = scope["period_from"]
    if scope.get("period_to"):
        where.append("opened_on < to_date(%(period_to)s, 'YYYY-MM') + interval '1 month'")
        params["period_to"] = scope["period_to"]
    if scope.get("domain"):
        # Case.domains is a bit mask: bit (value - 1) for each life domain (cases.lib.to_mask).
        where.append("domains & %(bit)s <> 0")
        params["bit"] = 1 << (int(scope["domain"]) - 1)
    return SQL_HEADLINE.format(where=" AND ".join(where)), params


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def run(url: str, args) -> int:
    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.core.management import call_command, get_commands
    from django.db import connection
    from django.db.models import Count
    from django.test import Client, RequestFactory
    from django.urls import NoReverseMatch, reverse

    from maatwerk.accounts.models import Municipality
    from maatwerk.cases.models import Case
    from maatwerk.demo.organisation import MUNICIPALITIES

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - start:.1f} s")
    cases = Case.objects.count()
    if cases == 0:
        start = time.perf_counter()
        call_command("demo", households=args.households, seed=1)
        load = time.perf_counter() - start
        with connection.cursor() as cursor:
            # As a database in use would be: statistics current, visibility map set (index-only scans).
            cursor.execute("VACUUM ANALYZE")
        cases = Case.objects.count()
        print(f"demo --households {args.households}: {load:.0f} s ({load / 60:.1f} min)")
    else:
        print(f"{cases:,} cases present: demo not loaded")
        if cases < args.households:
            # The demo adds nothing once households exist, so an interrupted load stays short.
            print(f"WARNING: fewer cases than --households {args.households:,} (an interrupted load?)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"cases: {cases:,}; database size: {cursor.fetchone()[0]}")

    refresh_s = None
    if not args.no_refresh:
        if "refresh_insights" not in get_commands():
            print("refresh_insights: not available yet: the dashboard reads whatever the tables hold")
        else:
            start = time.perf_counter()
            call_command("refresh_insights")
            refresh_s = time.perf_counter() - start
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"refresh_insights: {refresh_s:.1f} s")
            # The job's own record: a refresh handed to a background worker would show here unfinished.
            from maatwerk.insights.models import Refresh

            last = Refresh.objects.order_by("-started_at").first()
            if last is None or last.finished_at is None:
                print("WARNING: no finished insights.Refresh row after refresh_insights (in the background?)")
            else:
                took = (last.finished_at - last.started_at).total_seconds()
                error = f", error: {last.error}" if last.error else ""
                print(f"  its Refresh row: {took:.1f} s, {last.cases:,} cases{error}")

    # The largest municipality by cases (the demo spreads households over teams evenly, so ties go to the
    # first in the demo's order) and its policy user.
    slugs = {code: slug for _name, code, slug, _teams in MUNICIPALITIES}
    sizes = dict(
        Case.objects.values_list("municipality_id")
        .annotate(n=Count("id"))
        .values_list("municipality_id", "n")
    )
    municipality = max(
        Municipality.objects.filter(code__in=slugs).order_by("pk"), key=lambda m: sizes.get(m.pk, 0)
    )
    users = {"policy": f"{slugs[municipality.code]}.policy", "programme": "landelijk.programme"}
    print(
        f"municipality: {municipality.name} (id {municipality.pk}, {sizes.get(municipality.pk, 0):,} cases)"
    )

    def resolve(values: dict) -> dict:
        return {k: municipality.pk if v == "$m" else v for k, v in values.items()}

    pages = [(label, user, resolve(query), resolve(scope)) for label, user, query, scope in PAGES]
    scopes = {}
    for _label, _user, _query, scope in pages:
        scopes.setdefault(tuple(sorted(scope.items())), scope)

    raw = psycopg.connect(url, autocommit=True, prepare_threshold=None)  # Django prepares nothing either

    def run_sql(scope: dict):
        sql, params = headline_sql(scope)
        with raw.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    check_cube(raw, run_sql({}))

    try:
        dashboard = reverse("insights:dashboard")
    except NoReverseMatch:
        dashboard = None
        print("insights:dashboard does not resolve yet: timing only the SQL (and the refresh above)")

    clients = {}
    if dashboard:
        for key, username in users.items():
            client = Client()
            request = RequestFactory().post("/")  # axes's backend wants the request
            if not client.login(request=request, username=username, password=settings.DEMO_PASSWORD):
                sys.exit(f"cannot log in as {username} with the demo password")
            clients[key] = client

    def page_url(query: dict) -> str:
        from urllib.parse import urlencode

        return f"{dashboard}?{urlencode(query)}" if query else dashboard

    def get(client, target: str) -> float:
        started = time.perf_counter()
        response = client.get(target)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"GET {target} answered {response.status_code}")
        return elapsed

    def sql_ms(scope: dict) -> float:
        started = time.perf_counter()
        run_sql(scope)
        return (time.perf_counter() - started) * 1000

    # Warm-up: caches of both sides filled, the first query plans made.
    for scope in scopes.values():
        sql_ms(scope)
    if dashboard:
        for _label, user, query, _scope in pages:
            for _ in range(3):
                get(clients[user], page_url(query))

    rounds = max(1, args.rounds)
    page_samples = {label: [] for label, *_ in pages}
    sql_samples = {key: [] for key in scopes}
    print(f"{rounds} rounds: {args.reps} requests per page and {args.sql_reps} SQL runs per scope in all ...")
    for r in range(rounds):
        share = len(range(r, args.reps, rounds))
        sql_share = len(range(r, args.sql_reps, rounds))
        done = set()
        for label, user, query, scope in pages:
            if dashboard:
                page_samples[label] += [get(clients[user], page_url(query)) for _ in range(share)]
            key = tuple(sorted(scope.items()))
            if key not in done:
                sql_samples[key] += [sql_ms(scope) for _ in range(sql_share)]
                done.add(key)
        print(f"  round {r + 1} done")
    raw.close()

    print(f"\n{'page':<28} {'p50 ms':>9} {'p95 ms':>9} {'SQL p50':>9} {'SQL p95':>9} {'ratio':>7}")
    lines = []
    for label, _user, _query, scope in pages:
        s50, s95 = percentiles(sql_samples[tuple(sorted(scope.items()))])
        if not dashboard:
            print(f"{label:<28} {'-':>9} {'-':>9} {s50:9.1f} {s95:9.1f} {'-':>7}")
            lines.append(f'SUMMARY page="{label}" p50_ms=- p95_ms=- sql_p50_ms={s50:.1f} (no dashboard yet)')
            continue
        p50, p95 = percentiles(page_samples[label])
        ratio = p50 / s50
        aims = "held" if ratio <= 1.5 and p95 < 500 else "MISSED"
        print(f"{label:<28} {p50:9.1f} {p95:9.1f} {s50:9.1f} {s95:9.1f} {ratio:7.2f}")
        lines.append(
            f'SUMMARY page="{label}" p50_ms={p50:.1f} p95_ms={p95:.1f} sql_p50_ms={s50:.1f} '
            f"ratio={ratio:.2f} aims={aims} (ratio<=1.5: {'yes' if ratio <= 1.5 else 'no'}, "
            f"p95<500ms: {'yes' if p95 < 500 else 'no'})"
        )
    print()
    refresh = f"{refresh_s:.1f}" if refresh_s is not None else "-"
    print(f"SUMMARY cases={cases} refresh_s={refresh}")
    for line in lines:
        print(line)
    return 0


def check_cube(raw, live: dict) -> None:
    """Compare the refreshed CaseCube's national totals with the same figures from the base tables (the SQL
    above, whole period): a refresh that lost cases or counted them twice shows here, before any timing."""
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT status, sum(n), sum(fu3_done), sum(fu3_trouble), sum(fu12_done), sum(fu12_trouble), "
            "sum(spend_maatwerk), sum(spend_bijzonder), sum(hours), "
            + " + ".join(f"sum(grade_{g})" for g in range(1, 11))
            + ", "
            + " + ".join(f"sum(grade_{g} * {g})" for g in range(1, 11))
            + " FROM insights_casecube GROUP BY status"
        )
        rows = cursor.fetchall()
    if not rows:
        print("insights_casecube is empty: nothing to check against the base tables")
        return
    cube = {
        "status": {row[0]: int(row[1]) for row in rows},
        "fu3": (sum(int(r[2]) for r in rows), sum(int(r[3]) for r in rows)),
        "fu12": (sum(int(r[4]) for r in rows), sum(int(r[5]) for r in rows)),
        "spend": (sum(r[6] for r in rows), sum(r[7] for r in rows)),
        "hours": sum(r[8] for r in rows),
        "grades": sum(int(r[9]) for r in rows),
        "grade_sum": sum(int(r[10]) for r in rows),
    }
    fu = live["followups"] or {}
    spend = live["spend"] or {}
    expected = {
        "status": live["status"] or {},
        "fu3": (fu.get("3m", {}).get("done", 0), fu.get("3m", {}).get("trouble", 0)),
        "fu12": (fu.get("12m", {}).get("done", 0), fu.get("12m", {}).get("trouble", 0)),
        "spend": (spend.get("maatwerkbudget", 0), spend.get("bijzondere_bijstand", 0)),
        "hours": live["hours"] or 0,
        "grades": live["grades"]["n"],
        "grade_sum": round((live["grades"]["mean"] or 0) * live["grades"]["n"]),
    }
    wrong = [
        f"{key}: cube {cube[key]} against {expected[key]}"
        for key in cube
        if _differ(cube[key], expected[key])
    ]
    if wrong:
        print("WARNING: the refreshed cube differs from the base tables: " + "; ".join(wrong))
    else:
        print("refreshed cube matches the base tables (cases by status, follow-ups, spend, hours, grades)")


def _differ(a, b) -> bool:
    if isinstance(a, dict):
        return a != b
    if isinstance(a, tuple):
        return any(_differ(x, y) for x, y in zip(a, b, strict=True))
    return abs(float(a) - float(b)) > 0.01


if __name__ == "__main__":
    sys.exit(main())
