"""The stories page on PostgreSQL at scale, next to the dashboard of the same audience in the same run.

Run from the repository root: ``python bench/bench_stories.py [--households N] [--pgdata DIR] [--reps N]``.

The server is bench_insights.py's (a throwaway cluster, or with ``--pgdata DIR`` one kept outside the
repository; the 1,000,000-case cluster of bench/README.md works). It migrates, loads ``demo --households N``
(20,000 by default) when there are no cases, and refreshes the dashboard's figures when they were never
computed. A database made before the voices existed has none: then it adds synthetic shared voices, one per
closed case with the client's grade (group client) and one per third reflection (group worker), each with
the first theme: the upper end of what the pool can hold (everyone consents).

Then it logs in through django.test.Client as the policy user of the largest municipality and as
``landelijk.programme`` and times GET of /verhalen/ (the sample, the indicator and the learning points) and
of /dashboard/ at the same level, interleaved, --reps times each after a warm-up. ``SUMMARY`` lines give
p50 and p95 in ms and the stories page's p50 as a ratio to the dashboard's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_insights import Server  # noqa: E402

SYNTHETIC_VOICES = [
    """INSERT INTO cases_voice (municipality_id, team_id, case_id, "group", role, respondent, kind, text,
         draft_text, shared_text, tone, said_on, consent, state, recorded_by_id, recorded_at)
       SELECT c.municipality_id, c.team_id, c.id, 'client', '', 'household:' || c.household_id, 'quote', '',
         '', 'Gedeeld citaat ' || c.id,
         CASE WHEN c.id % 4 = 0 THEN 'critical' WHEN c.id % 4 = 1 THEN 'mixed' ELSE 'positive' END,
         c.closed_on, true, 'shared', r.author_id, now()
       FROM cases_case c JOIN cases_reflection r ON r.case_id = c.id JOIN cases_feedback f ON f.case_id = c.id
       WHERE c.closed_on IS NOT NULL""",
    """INSERT INTO cases_voice (municipality_id, team_id, case_id, "group", role, respondent, kind, text,
         draft_text, shared_text, tone, said_on, consent, state, recorded_by_id, recorded_at)
       SELECT c.municipality_id, c.team_id, c.id, 'worker', '', 'user:' || r.author_id, 'learning_point', '',
         '', 'Leerpunt ' || c.id, r.tone, c.closed_on, true, 'shared', r.author_id, now()
       FROM cases_case c JOIN cases_reflection r ON r.case_id = c.id
       WHERE c.closed_on IS NOT NULL AND c.id % 3 = 0""",
    """INSERT INTO cases_voice_themes (voice_id, theme_id)
       SELECT v.id, (SELECT min(id) FROM cases_theme) FROM cases_voice v
       WHERE NOT EXISTS (SELECT 1 FROM cases_voice_themes t WHERE t.voice_id = v.id)""",
    "ANALYZE",
]


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--pgdata", help="a cluster directory to make once and keep (outside the repository)")
    parser.add_argument("--port", type=int)
    parser.add_argument("--reps", type=int, default=10)
    return parser.parse_args()


def run(args) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client, RequestFactory

    from maatwerk.accounts.models import Membership, Role
    from maatwerk.cases.models import Case, Feedback, Voice
    from maatwerk.insights.freshness import last_refresh

    call_command("migrate", verbosity=0)
    if not Case.objects.exists():
        start = time.perf_counter()
        call_command("demo", households=args.households, verbosity=0)
        print(f"demo --households {args.households}: {time.perf_counter() - start:.0f} s")
    if last_refresh() is None:
        call_command("refresh_insights", verbosity=0)
    graded = Feedback.objects.filter(case__closed_on__isnull=False).count()
    if Voice.objects.shared().count() < graded // 10:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in SYNTHETIC_VOICES:
                cursor.execute(statement)
        print(f"synthetic voices added: {time.perf_counter() - start:.0f} s")
    print(f"cases {Case.objects.count():,}, shared voices {Voice.objects.shared().count():,}")

    largest = (
        Case.objects.values("municipality_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["municipality_id"]
    )
    policy = (
        Membership.objects.filter(role=Role.POLICY, municipality_id=largest)
        .select_related("user")
        .first()
        .user
    )
    users = {"municipality": policy.username, "nation": "landelijk.programme"}
    clients = {}
    for level, username in users.items():
        client = Client()
        if not client.login(
            request=RequestFactory().post("/"), username=username, password=settings.DEMO_PASSWORD
        ):
            sys.exit(f"cannot log in as {username} with the demo password")
        clients[level] = client

    def get(level: str, path: str) -> float:
        started = time.perf_counter()
        response = clients[level].get(f"{path}?level={level}")
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"GET {path} as {users[level]} answered {response.status_code}")
        return elapsed

    pages = [(level, path) for level in users for path in ("/dashboard/", "/verhalen/")]
    for level, path in pages:  # warm-up: plans made, caches filled on both sides
        get(level, path)
    samples = {page: [] for page in pages}
    for _ in range(args.reps):
        for page in pages:
            samples[page].append(get(*page))
    for level in users:
        dash, stories = samples[(level, "/dashboard/")], samples[(level, "/verhalen/")]
        p50 = {name: statistics.median(s) for name, s in (("dashboard", dash), ("stories", stories))}
        p95 = {
            name: sorted(s)[max(0, round(0.95 * len(s)) - 1)]
            for name, s in (("dashboard", dash), ("stories", stories))
        }
        print(
            f"SUMMARY {level} ({users[level]}):"
            f" stories p50 {p50['stories']:.0f} ms, p95 {p95['stories']:.0f} ms;"
            f" dashboard p50 {p50['dashboard']:.0f} ms, p95 {p95['dashboard']:.0f} ms;"
            f" stories/dashboard {p50['stories'] / p50['dashboard']:.1f}x"
        )
    return 0


def main() -> int:
    args = parse_args()
    server = Server(args.pgdata, args.port)
    try:
        url = server.start()
        print(f"PostgreSQL at {url}" + (f" (kept in {server.data})" if server.kept else ""))
        os.environ["DATABASE_URL"] = url
        os.environ["DJANGO_SETTINGS_MODULE"] = "maatwerk.settings"
        os.environ["DEBUG"] = "0"  # query logging would measure Django's bookkeeping, not the pages
        return run(args)
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
