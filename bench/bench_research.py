"""The research export (issue #14) at a million cases on PostgreSQL, and free text through the anonymiser.

Run from the repository root:
``python bench/bench_research.py --pgdata ~/benchdata/pg-1m [--households N] [--paragraphs N]``.

The server is bench_insights.py's (with ``--pgdata DIR`` a kept cluster, reused when it is running and
stopped afterwards only when this run started it; without it a throwaway one loaded with
``demo --households N``). The run:

1. **Bench setup**: a researcher ``bench.researcher`` asks, through the research services as on the
   pages, and a policy officer per municipality (``bench.policy.<code>``) approves each part, which makes
   the export and queues its job. Two requests whose purpose starts with "BENCH SETUP" (earlier ones are
   deleted first): one over every municipality and period (the million, without free text, every variable
   group), one over the largest municipality alone (about a ninth: the memory at a tenth of the rows).
2. **Baseline**, in the same run: a plain ``COPY (SELECT ... FROM cases_case ...) TO STDOUT`` of the same
   cases' own columns, and a COPY of the export's full query (the cases joined to their per-case
   aggregates), each read to the end through psycopg in this process.
3. **The export in the worker**: ``manage.py db_worker --batch`` (the task worker of `make run`, leaving
   when the queue is empty) runs the queued job, once per request; measured: the worker's wall time from
   start to exit, the job's own time (started_at to finished_at of the export) and the worker's peak
   memory (``ru_maxrss``).
4. **Free text**: paragraphs of the case notes of the database (with their households' names) through
   `anonymize_for_research`, one call per paragraph, in one process after the engine is loaded:
   paragraphs per second per worker.

``SUMMARY`` lines give the figures and whether the aims hold: under 3 minutes for the million, memory
flat (peak at the million within 1.5 times the peak at a ninth), at least 500 paragraphs per second.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PURPOSE = "BENCH SETUP (bench/bench_research.py): not a real request"


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=20_000, help="demo size for a fresh cluster")
    parser.add_argument("--pgdata", help="a cluster directory to make once and keep (outside the repository)")
    parser.add_argument("--port", type=int)
    parser.add_argument("--paragraphs", type=int, default=3000, help="free-text paragraphs to time")
    return parser.parse_args()


def setup_requests():
    """The bench's researcher asks through the services, and a policy officer of every municipality
    approves its part: the export is made and its job queued, as on the research pages. Two requests,
    decided one after the other by `approve` so that each runs in a worker of its own."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from maatwerk.accounts.models import Membership, Municipality, Role
    from maatwerk.cases.models import Case
    from maatwerk.research import services
    from maatwerk.research.models import ResearchRequest, VariableGroup

    def user(username, role, municipality):
        made, created = get_user_model().objects.get_or_create(username=username)
        if created:
            made.set_unusable_password()
            made.save()
            Membership.objects.create(user=made, role=role, municipality=municipality)
        return made

    municipalities = list(Municipality.objects.order_by("pk"))
    researcher = user("bench.researcher", Role.RESEARCHER, municipalities[0])
    officers = {m.pk: user(f"bench.policy.{m.code}", Role.POLICY, m) for m in municipalities}
    ResearchRequest.objects.filter(purpose=PURPOSE).delete()
    span = Case.objects.order_by("opened_on").values_list("opened_on", flat=True)
    first, last = span.first(), span.last()
    largest = Case.objects.values("municipality_id").annotate(n=Count("id")).order_by("-n").first()

    def ask(chosen):
        request = services.create_request(
            by=researcher,
            purpose=PURPOSE,
            question="How fast is the export?",
            period_from=f"{first:%Y-%m}",
            period_to=f"{last:%Y-%m}",
            municipalities=chosen,
            variable_groups=list(VariableGroup.values),
            free_text=False,
        )

        def approve():
            for part in request.parts.all():
                services.decide_part(
                    by=officers[part.municipality_id], part=part, approve=True, reason="bench setup"
                )
            return request.export

        return approve

    return {
        "largest municipality": (ask([largest["municipality_id"]]), largest["n"]),
        "all municipalities": (ask([m.pk for m in municipalities]), Case.objects.count()),
    }


def copy_seconds(sql: str, params: list) -> tuple[float, int]:
    from django.db import connection

    clock = time.perf_counter()
    size = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        query = raw.mogrify(sql, params)
        with raw.copy(f"COPY ({query}) TO STDOUT") as copy:
            for block in copy:
                size += len(block)
    return time.perf_counter() - clock, size


def baseline(export) -> dict:
    from maatwerk.research.export import dataset, files
    from maatwerk.research.models import RequestPart

    request = export.request
    ids = list(
        RequestPart.objects.filter(request=request, state=RequestPart.State.APPROVED).values_list(
            "municipality_id", flat=True
        )
    )
    start, end = dataset.period(request.period_from, request.period_to)
    where, params = dataset._where(ids, start, end)
    plain = f"SELECT c.id, c.household_id, c.status, c.opened_on, c.closed_on, c.domains, c.agencies FROM cases_case c WHERE {where}"  # noqa: E501, S608
    d = dataset.DIALECTS["postgresql"]
    groups = list(request.variable_groups)
    cols = files.columns(dataset.quasi_identifiers(len(ids) > 1), groups, d)
    full, full_params = dataset.cases_sql(d, groups, cols, ids, start, end, light=False)
    return {"plain": copy_seconds(plain, params)[0], "full query": copy_seconds(full, full_params)[0]}


def run_worker(export) -> dict:
    """`manage.py db_worker --batch` (the worker `make run` starts, leaving when the queue is empty) runs
    the queued job; its wall time, its peak memory (ru_maxrss of the process, from wait4) and the job's
    own start-to-finish time as the export records it."""
    from django_tasks_db.models import DBTaskResult

    from maatwerk.research.models import ResearchExport

    # The worker runs whatever is queued; another task ahead of the export (a dashboard refresh a page
    # asked for) makes its wall time longer than the job's, which is why both are reported.
    others = DBTaskResult.objects.ready().exclude(task_path__endswith="build_research_export").count()
    if others:
        print(f"  (the worker also runs {others} other queued task(s) first)")
    with tempfile.TemporaryDirectory(prefix="maatwerk-bench-research.") as out:
        env = {**os.environ, "MAATWERK_RESEARCH_DIR": out}
        cmd = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--verbosity", "0"]
        clock = time.perf_counter()
        worker = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603
        _, status, usage = os.wait4(worker.pid, 0)
        seconds = time.perf_counter() - clock
        worker.returncode = os.waitstatus_to_exitcode(status)
        export = ResearchExport.objects.get(pk=export.pk)
        if worker.returncode != 0 or export.state != ResearchExport.State.DONE:
            sys.exit(f"the export did not finish: worker {worker.returncode}, {export.state} {export.error}")
        return {
            "seconds": seconds,
            "job_seconds": (export.finished_at - export.started_at).total_seconds(),
            "maxrss_mb": usage.ru_maxrss / 1024,
            "bytes": export.size_bytes,
            "rows": export.manifest["rows"],
            "anonymity": export.manifest["anonymity"],
        }


def timed(work: list[tuple[str, list[str]]]) -> float:
    from maatwerk.lib.anonymize import anonymize_for_research

    for p, who in work[:50]:  # warm-up: the first calls fill deduce's caches
        anonymize_for_research(p, names=who)
    clock = time.perf_counter()
    for p, who in work:
        anonymize_for_research(p, names=who)
    return len(work) / (time.perf_counter() - clock)


def paragraphs_per_second(n: int) -> dict:
    """Paragraphs per second of the database's case notes (short, with the households' names) and of the
    anonymiser's test corpus (longer paragraphs full of identifiers, no names passed)."""
    from maatwerk.cases.models import Note, Person
    from maatwerk.lib.anonymize import engine, paragraphs

    clock = time.perf_counter()
    engine()
    load = time.perf_counter() - clock
    notes = list(Note.objects.order_by("id").values_list("case__household_id", "text")[: n * 2])
    households = {h for h, _ in notes}
    names: dict[int, list[str]] = {h: [] for h in households}
    for h, first, last in Person.objects.filter(household_id__in=households).values_list(
        "household_id", "first_name", "last_name"
    ):
        names[h] += [first, last]
    work = [(p, names[h]) for h, text in notes for p in paragraphs(text) if p.strip()][:n]
    corpus = json.loads((ROOT / "maatwerk/lib/tests/data/anonymize_corpus.json").read_text(encoding="utf-8"))
    texts = [(p["text"], []) for p in corpus["paragraphs"]]
    texts = (texts * (n // max(1, len(texts)) + 1))[:n]
    return {
        "load": load,
        "notes": (timed(work), len(work), sum(len(p) for p, _ in work) / max(1, len(work))),
        "corpus": (timed(texts), len(texts), sum(len(p) for p, _ in texts) / max(1, len(texts))),
    }


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from maatwerk.cases.models import Case

    call_command("migrate", verbosity=0)
    if not Case.objects.exists():
        call_command("demo", households=args.households, verbosity=0)
    exports = setup_requests()
    results = {}
    for label, (approve, n) in exports.items():
        export = approve()
        base = baseline(export)
        print(
            f"{label}: {n:,} cases; COPY plain {base['plain']:.1f} s,"
            f" COPY of the full query {base['full query']:.1f} s"
        )
        measured = run_worker(export)
        results[label] = (measured, base)
        a = measured["anonymity"]
        print(
            f"  worker {measured['seconds']:.1f} s (the job itself {measured['job_seconds']:.1f} s),"
            f" peak {measured['maxrss_mb']:.0f} MB, {measured['bytes'] / 1e6:.0f} MB zip,"
            f" rows {measured['rows']:,}"
        )
        print(
            f"  k {a['k_reached']} l {a['l_reached']} levels {a['levels']}"
            f" suppressed {a['suppressed_rows']:,}"
            f" withheld {a['withheld_rows']:,} classes {a['classes']:,}"
        )
    speed = paragraphs_per_second(args.paragraphs)
    big, small = results["all municipalities"][0], results["largest municipality"][0]
    base = results["all municipalities"][1]
    print(
        f"SUMMARY export of {big['rows']:,} cases: {big['seconds']:.0f} s"
        f" (COPY plain {base['plain']:.0f} s, full query {base['full query']:.0f} s),"
        f" peak {big['maxrss_mb']:.0f} MB;"
        f" {small['rows']:,} cases: {small['seconds']:.0f} s, peak {small['maxrss_mb']:.0f} MB;"
        f" aims: under 180 s {'yes' if big['seconds'] < 180 else 'NO'},"
        f" memory flat {'yes' if big['maxrss_mb'] < 1.5 * small['maxrss_mb'] else 'NO'}"
    )
    for label, (rate, count, chars) in (
        ("case notes", speed["notes"]),
        ("anonymiser corpus", speed["corpus"]),
    ):
        print(
            f"SUMMARY free text, {label}: {rate:.0f} paragraphs/s per worker ({count} paragraphs of"
            f" {chars:.0f} characters on average; engine loaded in {speed['load']:.1f} s);"
            f" aim 500/s {'yes' if rate >= 500 else 'NO'}"
        )
    from maatwerk.research.models import ResearchRequest

    ResearchRequest.objects.filter(purpose=PURPOSE).delete()
    return 0


def main() -> int:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maatwerk.settings")
    os.environ["DEBUG"] = "0"
    from bench_insights import Server

    server = Server(args.pgdata, args.port)
    try:
        url = server.start()
        print(f"PostgreSQL at {url}" + (f" (kept in {server.data})" if server.kept else ""))
        os.environ["DATABASE_URL"] = url
        return run(args)
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
