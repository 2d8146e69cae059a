import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args, _cwd=ROOT, **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=_cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_reports_nothing():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        MAATWERK_ENV="production",
        SECRET_KEY="a-long-random-test-secret-" + "x" * 40 + "-for-check-deploy",
        ALLOWED_HOSTS="maatwerk.example.nl",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", MAATWERK_ENV="production", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_sqlite_uses_immediate_transactions_and_busy_timeout(settings):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert options["transaction_mode"] == "IMMEDIATE"
        assert options["timeout"] >= 5


SHOW_SQLITE_CONNECTION = """
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
configured = settings.DATABASES["default"]["OPTIONS"]["transaction_mode"]
print(configured, connection.transaction_mode, journal, busy)
"""


def test_sqlite_named_by_database_url_gets_the_same_options_as_the_default(tmp_path):
    # The default file (under MAATWERK_VAR_DIR) and both spellings of a URL: sqlite:///relative (to the
    # working directory) and sqlite:////absolute. Without these options 28 of 40 parallel approvals failed
    # with "database is locked" on a URL-named SQLite file.
    show = ("shell", "--no-imports", "-c", SHOW_SQLITE_CONNECTION)
    results = [
        run_manage(*show, MAATWERK_VAR_DIR=str(tmp_path / "var")),
        run_manage(*show, DATABASE_URL=f"sqlite:///{tmp_path}/absolute.sqlite3"),
        run_manage(*show, _cwd=tmp_path, DATABASE_URL="sqlite:///relative.sqlite3"),
    ]
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.split() == ["IMMEDIATE", "IMMEDIATE", "wal", "20000"], result.stdout
    assert (tmp_path / "var" / "maatwerk.sqlite3").exists()
    assert (tmp_path / "absolute.sqlite3").exists()
    assert (tmp_path / "relative.sqlite3").exists()
