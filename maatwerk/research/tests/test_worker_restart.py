"""The real thing once: `manage.py db_worker` on a file SQLite database, killed with SIGKILL in the middle
of an export, started again as `make run` starts it; the export ends DONE, built to the end exactly once.

It migrates a fresh database and starts processes (about 10 s), so it waits on the database's state
with a deadline, never on a fixed sleep."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 120  # seconds for any one state to be reached

# Run as the worker: the real export job, with a gate in it so that the test can kill the worker while the
# job is halfway; every finished build appends its attempt to builds.txt.
WORKER = """
import os, pathlib, sys, time
import django
django.setup()
from maatwerk.research import export
from maatwerk.research.tests.factories import stub_build as real  # a world of no cases: below k
here = pathlib.Path(os.environ["RESTART_TEST_DIR"])
def gated(obj, *, out_dir, progress):
    progress("cases", 1, 10)
    while not (here / "gate").exists():
        time.sleep(0.05)
    path = real(obj, out_dir=out_dir, progress=progress)
    with open(here / "builds.txt", "a") as f:
        f.write(f"{obj.attempt}\\n")
    return path
export.build = gated
from django.core.management import call_command
call_command("db_worker", "--no-reload", "--interval", "0.2", "--no-startup-delay", verbosity=0)
"""

SETUP = """
import django
django.setup()
from conftest import make_user
from maatwerk.accounts.models import Municipality
from maatwerk.research import services
eindhoven = Municipality.objects.create(name="Eindhoven", code="0772")
rita = make_user("rita", "researcher", municipality=eindhoven)
erin = make_user("erin", "policy", municipality=eindhoven)
request = services.create_request(by=rita, purpose="Evaluatie", question="Wat werkt?", period_from="2024-01",
    period_to="2024-12", municipalities=[eindhoven.pk], variable_groups=[], free_text=False)
services.decide_part(by=erin, part=request.parts.get(), approve=True, reason="Past bij het beleid")
"""


def wait_for(db: Path, query: str, want, proc=None):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the worker exited with {proc.returncode}")
        with sqlite3.connect(db, timeout=10) as connection:
            row = connection.execute(query).fetchone()
        if row == want:
            return
        time.sleep(0.1)  # polling the database's state, not waiting for a guess
    raise AssertionError(f"{query} never gave {want}, last {row}")


@pytest.mark.skipif(os.environ.get("MAATWERK_SKIP_PROCESS_TESTS") == "1", reason="process tests disabled")
def test_worker_killed_mid_export_builds_it_once_after_restart(tmp_path):
    db = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "maatwerk.settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "MAATWERK_VAR_DIR": str(tmp_path),
        "MAATWERK_RESEARCH_DIR": str(tmp_path / "research"),
        "RESTART_TEST_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def run(*args):
        subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, timeout=DEADLINE * 2)

    run("manage.py", "migrate", "--verbosity", "0")
    run("-c", SETUP)
    state = "SELECT state, attempt, progress_done, progress_total FROM research_researchexport"
    first = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env)
    try:
        wait_for(db, state, ("running", 1, 1, 10), first)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)

    # As scripts/run-with-worker.sh starts it again.
    run("manage.py", "recover_research", "--stale-after", "0", "--verbosity", "0")
    (tmp_path / "gate").touch()
    second = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env)
    try:
        wait_for(db, "SELECT state, attempt FROM research_researchexport", ("done", 2), second)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    assert (tmp_path / "builds.txt").read_text().split() == ["2"]
    export_dir = next((tmp_path / "research").iterdir())
    assert [p.name for p in export_dir.iterdir()] == ["attempt-2"]
