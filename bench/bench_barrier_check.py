"""Measure what the personal-data check adds to the barrier register, next to the same work without it.

Run from the repository root: ``python bench/bench_barrier_check.py [--households N] [--reps N]``.

It makes its own SQLite database in a temporary directory, migrates, builds the named users of the tests
(conftest.py) and gives team A `--households` households (5,000 by default, so that looking up names
among the team's households is measured at a realistic size) and one case that every barrier is linked
to. Then, interleaved round by round so that a busy spell slows both sides:

- `register_barrier` from the case (each call rolled back), with the check and with the check replaced by
  a no-op: the baseline is the same service in the same run;
- the check on its own (`privacy.check_texts`) on the six fields of a barrier, and `find_personal_data`
  per text over the ordinary texts of maatwerk/barriers/tests/data/barrier_texts.json;
- the register page (25 barriers) and the national register (all barriers) as policy and programme see
  them, through django.test.Client, with the masking (`privacy.screen`) and with it replaced by a no-op;
- memory: the peak RSS of a fresh process that imports maatwerk.lib.anonymize and runs the light check,
  next to one that only imports Python's re, and whether deduce got loaded (it must not).

Each timing is printed as wall-clock median and p95 and as the median process (CPU) time, each with its
ratio to the baseline; on a shared, loaded machine the CPU ratio is the steadier of the two.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5_000, help="households of team A")
    parser.add_argument("--barriers", type=int, default=200, help="barriers in the register")
    parser.add_argument("--reps", type=int, default=200, help="timed rounds per measurement")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    os.environ["MAATWERK_VAR_DIR"] = tempfile.mkdtemp(prefix="maatwerk-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maatwerk.settings")
    os.environ["DEBUG"] = "0"  # query logging would measure Django's bookkeeping

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

DATA = ROOT / "maatwerk" / "barriers" / "tests" / "data" / "barrier_texts.json"
# VmHWM, not getrusage: ru_maxrss survives exec, so a child would report this process's peak.
RSS_CODE = (
    "import re, sys; {setup}; "
    "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1), "
    "any(m == 'deduce' or m.startswith('deduce.') for m in sys.modules))"
)
LIGHT = (
    "from maatwerk.lib.anonymize.check import find_personal_data; "
    "find_personal_data('mevrouw Jansen, BSN 123 456 782, Kerkstraat 12, 06-12345678')"
)


def fresh_rss_kb(setup: str) -> tuple[int, bool]:
    out = subprocess.run(
        [sys.executable, "-c", RSS_CODE.format(setup=setup)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.split()
    return int(out[0]), out[1] == "True"


CPU: dict[str, list[float]] = {}  # process time in ms per measured function, beside the wall time


def interleaved(a, b, reps: int) -> tuple[list[float], list[float]]:
    """Wall milliseconds of `a()` and `b()`, alternated round by round after a warm-up. Process time goes
    to CPU: on a loaded machine a call of 2 ms is descheduled far more often than one of 1 ms, so the wall
    time of the longer call swells and the CPU time is the fairer measure of what the check adds."""
    for _ in range(3):
        a(), b()
    sa, sb = [], []
    for _ in range(reps):
        for fn, wall in ((a, sa), (b, sb)):
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            wall.append((time.perf_counter() - start) * 1000)
            CPU.setdefault(id(wall), []).append((time.process_time() - cpu) * 1000)
    return sa, sb


def p(samples: list[float], q: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(len(samples) * q))]


def main() -> int:
    args = ARGS
    call_command("migrate", verbosity=0)
    from conftest import build_world
    from maatwerk.barriers import privacy, services
    from maatwerk.barriers.tests.factories import case_for, childcare_data
    from maatwerk.cases.models import Household
    from maatwerk.lib.anonymize.check import find_personal_data

    world = build_world()
    case = case_for(world)
    Household.objects.bulk_create(
        Household(
            municipality=world.eindhoven,
            team=world.team_a,
            name=f"Huishouden{i:05d}",
            search_key=f"huishouden{i:05d}",
        )
        for i in range(args.households)
    )
    texts = json.loads(DATA.read_text(encoding="utf-8"))["ordinary"]
    for i in range(args.barriers):
        barrier = services.register_barrier(
            by=world.alice, case=case if i % 2 else None, **childcare_data(description=texts[i % len(texts)])
        )
    data = childcare_data(description=texts[2], risk=texts[16], solution_asked=texts[17])
    fields = {f: data[f] for f in ("title", "description", "risk", "solution_asked", "legal_provision")}

    def register():
        with transaction.atomic():
            services.register_barrier(by=world.alice, case=case, cost_at_stake="1000", **data)
            transaction.set_rollback(True)

    real_check = services.check_no_personal_data

    def register_without_check():
        services.check_no_personal_data = lambda *a, **k: None
        try:
            register()
        finally:
            services.check_no_personal_data = real_check

    results = []
    with_check, without = interleaved(register, register_without_check, args.reps)
    results.append(("register", "register_barrier", without, with_check))

    def check_only():
        privacy.check_texts(fields, cases=[case], team_ids={world.team_a.pk}, errors={})

    check_s, idle = interleaved(check_only, lambda: None, args.reps)  # idle kept: CPU is keyed by id()
    per_text = []
    for _ in range(args.reps):
        start = time.perf_counter()
        for text in texts:
            find_personal_data(text)
        per_text.append((time.perf_counter() - start) * 1_000_000 / len(texts))

    real_screen = privacy.screen

    def page(client, url, masked: bool):
        def get():
            if not masked:
                privacy.screen = lambda *a, **k: None
            try:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            finally:
                privacy.screen = real_screen

        return get

    for who, url, key, label in (
        (world.erin, "/knelpunten/", "register_page", "register page, policy"),
        (world.pat, "/knelpunten/landelijk/", "national", f"national register ({args.barriers}), programme"),
        (world.pat, f"/api/v1/barriers/{barrier.pk}", "api_detail", "API barrier detail, programme"),
    ):
        client = Client()
        client.force_login(who, backend="django.contrib.auth.backends.ModelBackend")
        masked, plain = interleaved(page(client, url, True), page(client, url, False), args.reps)
        results.append((key, label, plain, masked))

    base_rss, _ = fresh_rss_kb("import re")
    light_rss, deduce_loaded = fresh_rss_kb(LIGHT)

    print(
        f"team A households: {args.households}; barriers: {args.barriers}; reps: {args.reps} "
        f"(medians and p95 in ms)"
    )
    print(
        f"\n{'':<42}{'without':>9}{'with':>9}{'p95 w/o':>9}{'p95 with':>9}{'ratio':>7}"
        f"{'cpu w/o':>9}{'cpu with':>9}{'ratio':>7}"
    )
    for _, label, plain, masked in results:
        m0, m1 = statistics.median(plain), statistics.median(masked)
        c0, c1 = statistics.median(CPU[id(plain)]), statistics.median(CPU[id(masked)])
        line = f"{label:<42}{m0:9.2f}{m1:9.2f}{p(plain, 0.95):9.2f}{p(masked, 0.95):9.2f}{m1 / m0:7.2f}"
        print(f"{line}{c0:9.2f}{c1:9.2f}{c1 / c0:7.2f}")
    check_med = statistics.median(check_s)
    text_med = statistics.median(per_text)
    print(f"\ncheck_texts, 5 fields, 1 linked case, {args.households} team households: {check_med:.2f} ms")
    print(f"find_personal_data per ordinary text ({len(texts)} texts): {text_med:.0f} µs")
    print(
        f"fresh process peak RSS: import re {base_rss / 1024:.0f} MB, light check {light_rss / 1024:.0f} MB "
        f"(+{(light_rss - base_rss) / 1024:.0f} MB); deduce loaded: {deduce_loaded}"
    )
    ratios = " ".join(
        f"{key}_cpu_ms={statistics.median(CPU[id(w)]):.2f}->{statistics.median(CPU[id(m)]):.2f}"
        f"(x{statistics.median(CPU[id(m)]) / statistics.median(CPU[id(w)]):.2f})"
        for key, _, w, m in results
    )
    print(
        f"SUMMARY {ratios} check_ms={check_med:.2f} per_text_us={text_med:.0f} "
        f"light_rss_mb=+{(light_rss - base_rss) / 1024:.0f} deduce_loaded={deduce_loaded}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
