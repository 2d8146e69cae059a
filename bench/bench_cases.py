"""Time the case list and case detail with a large demo data set, next to a bare Django view.

Run from the repository root: ``python bench/bench_cases.py [--households N] [--reps N] [--keep]``.

It makes its own SQLite database in a temporary directory (or in MAATWERK_VAR_DIR when set), migrates,
loads ``demo --households N`` (100,000 by default; the load time is printed too), logs in as the demo worker
of Eindhoven and times requests through django.test.Client: the full middleware stack, templates, the
access-log writes. The bare view is a plain HttpResponse behind the same middleware, so the ratios show
what the case pages cost on top of Django itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=200, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the database (only with a temporary dir)")
    return parser.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    if not os.environ.get("MAATWERK_VAR_DIR"):
        os.environ["MAATWERK_VAR_DIR"] = tempfile.mkdtemp(prefix="maatwerk-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maatwerk.settings")
    # Query logging under DEBUG would measure Django's debug bookkeeping, not the pages.
    os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import include, path  # noqa: E402


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bare/", bare), path("", include("maatwerk.urls"))]


def timed(client: Client, url: str, reps: int) -> tuple[float, float]:
    for _ in range(5):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> int:
    args = ARGS
    var_dir = Path(os.environ["MAATWERK_VAR_DIR"])
    var_dir.mkdir(parents=True, exist_ok=True)
    print(f"database: {settings.DATABASES['default']['NAME']}")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("demo", households=args.households, seed=1, verbosity=1)
    load = time.perf_counter() - start

    from maatwerk.accounts.models import User
    from maatwerk.cases.models import Case, LifeDomain, Status

    settings.ROOT_URLCONF = __name__
    user = User.objects.get(username="eindhoven.worker")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    team_id = user.memberships.get().team_id
    team_cases = Case.objects.filter(team_id=team_id)
    detail = team_cases.filter(status=Status.AFTERCARE).order_by("-id").first() or team_cases.first()
    name = detail.household.name[:4].lower()
    print(
        f"households: {args.households} (load {load:.1f} s); team cases: {team_cases.count()}; "
        f"all cases: {Case.objects.count()}"
    )

    pages = [
        ("bare Django view", "/bare/"),
        ("case list, first page", "/casussen/"),
        ("case list, page 40", "/casussen/?page=40"),
        ("case list, status+domain", f"/casussen/?status=execution&domain={LifeDomain.FINANCES.value}"),
        ("case list, rare filters", f"/casussen/?domain={LifeDomain.JUSTICE.value}&agency=11&status=plan"),
        ("case list, overdue", "/casussen/?overdue=on"),
        ("case list, search name", f"/casussen/?q={name}"),
        ("case list, search number", f"/casussen/?q={detail.reference}"),
        ("case detail", f"/casussen/{detail.pk}/"),
        ("follow-ups due", "/casussen/nazorg/"),
        ("API case list", "/api/v1/cases"),
        ("API case detail", f"/api/v1/cases/{detail.pk}"),
    ]
    results = []
    for label, url in pages:
        p50, p95 = timed(client, url, args.reps)
        results.append((label, p50, p95))
    base50, base95 = results[0][1], results[0][2]
    print(f"\n{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'p50 ×bare':>10} {'p95 ×bare':>10}")
    for label, p50, p95 in results:
        print(f"{label:<28} {p50:8.2f} {p95:8.2f} {p50 / base50:10.1f} {p95 / base95:10.1f}")
    worst = max(r[2] for r in results[1:])
    print(
        f"\nSUMMARY households={args.households} load_s={load:.1f} bare_p50_ms={base50:.2f} "
        f"worst_p95_ms={worst:.2f}"
    )
    if not args.keep and str(var_dir).startswith(tempfile.gettempdir()) and "maatwerk-bench-" in str(var_dir):
        import shutil

        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
