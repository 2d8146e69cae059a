import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args, **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
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
