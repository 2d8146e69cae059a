"""The real thing once: `manage.py db_worker` on a file SQLite database, killed with SIGKILL in the middle
of an export, started again as `make run` starts it; the export ends DONE, built to the end exactly once.

It migrates a fresh database and starts processes (about 10 s). The test and the worker meet at two named
pipes, so each side waits for the other's step itself, never for a guessed time: the job writes to
`halfway` when it has reported progress (and blocks until the test has read it), then waits to be let on
through `gate` (until the test writes to it). The restarted worker runs with `--batch`: it leaves when the
queue is empty, so the test waits for it to exit."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 120  # seconds for any one state to be reached

# Run as the worker: the real export job, with the two pipes in it; every finished build appends its
# attempt to builds.txt.
WORKER = """
import os, pathlib
import django
django.setup()
from maatwerk.research import export
from maatwerk.research.tests.factories import stub_build as real  # a world of no cases: below k
here = pathlib.Path(os.environ["RESTART_TEST_DIR"])
def gated(obj, *, out_dir, progress):
    progress("cases", 1, 10)
    (here / "halfway").write_text(str(obj.attempt))  # blocks until the test reads it
    (here / "gate").read_text()  # blocks until the test lets it on
    path = real(obj, out_dir=out_dir, progress=progress)
    with open(here / "builds.txt", "a") as f:
        f.write(f"{obj.attempt}\\n")
    return path
export.build = gated
from django.core.management import call_command
call_command("db_worker", "--no-reload", "--batch", "--interval", "0.2", "--no-startup-delay", verbosity=0)
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


def meet(pipe: Path, proc, *, write: str | None = None) -> str:
    """Read what the worker writes into `pipe`, or (`write`) write to it for the worker to read: opening
    a named pipe blocks until the other side opens it, so this returns when the worker got there. In a
    thread, so that a worker that died first fails the test instead of blocking it."""
    got = []

    def step():
        if write is None:
            got.append(pipe.read_text())
        else:
            pipe.write_text(write)
            got.append(write)

    meeting = threading.Thread(target=step, daemon=True)
    meeting.start()
    deadline = time.monotonic() + DEADLINE
    while meeting.is_alive() and proc.poll() is None and time.monotonic() < deadline:
        meeting.join(timeout=0.5)
    if not got:
        raise AssertionError(f"the worker never reached {pipe.name} (exit code {proc.poll()})")
    return got[0]


def export_row(db: Path) -> tuple:
    with sqlite3.connect(db, timeout=10) as connection:
        return connection.execute(
            "SELECT state, attempt, progress_done, progress_total FROM research_researchexport"
        ).fetchone()


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
    os.mkfifo(tmp_path / "halfway")
    os.mkfifo(tmp_path / "gate")
    first = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env)
    try:
        assert meet(tmp_path / "halfway", first) == "1"
        # Its progress was written before it said so.
        assert export_row(db) == ("running", 1, 1, 10)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)

    # As scripts/run-with-worker.sh starts it again.
    run("manage.py", "recover_research", "--stale-after", "0", "--verbosity", "0")
    second = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env)
    try:
        assert meet(tmp_path / "halfway", second) == "2"
        meet(tmp_path / "gate", second, write="on")
        assert second.wait(timeout=DEADLINE) == 0
    finally:
        if second.poll() is None:
            second.send_signal(signal.SIGKILL)
            second.wait(timeout=30)
    assert export_row(db)[:2] == ("done", 2)
    assert (tmp_path / "builds.txt").read_text().split() == ["2"]
    export_dir = next((tmp_path / "research").iterdir())
    assert [p.name for p in export_dir.iterdir()] == ["attempt-2"]
