"""`make serve`'s server for real: gunicorn with maatwerk/gunicorn_conf.py, as a process on a free port,
on a SQLite database of its own (migrated first). Static files come through WhiteNoise, /gezondheid/
answers, and the access log is JSON without query strings (a search term can be a resident's name)."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(server: subprocess.Popen) -> None:
    """Until gunicorn says it listens: from then on a request waits in the socket's queue for a worker."""
    for line in server.stdout:
        if "Listening at:" in line:
            return
    pytest.fail(f"gunicorn stopped before it listened (exit {server.wait()})")


@pytest.fixture
def server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    port = free_port()
    env |= {
        "MAATWERK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "maatwerk.settings",
        "PORT": str(port),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "maatwerk/gunicorn_conf.py", "maatwerk.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_until_listening(process)
    yield f"http://127.0.0.1:{port}", process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def test_gunicorn_serves_the_app_its_static_files_and_the_health_check(server):
    base, process = server
    # The first answer waits for a worker to load Django: what the first user of a fresh server waits for.
    health = requests.get(f"{base}/gezondheid/", timeout=90)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    login = requests.get(f"{base}/inloggen/", timeout=10)
    assert login.status_code == 200 and "Inloggen" in login.text
    css = requests.get(f"{base}/static/maatwerk/app.css", timeout=10)
    assert css.status_code == 200 and ".mw-narrow" in css.text
    search = requests.get(f"{base}/casussen/?q=Jansen", timeout=10, allow_redirects=False)
    assert search.status_code == 302  # to the login

    # A graceful stop (SIGTERM) ends the workers and flushes the log.
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 0
    lines = [json.loads(line) for line in output.splitlines() if line.startswith('{"time"')]
    assert any(line["path"] == "/inloggen/" and line["status"] == 200 for line in lines), output
    assert any(line["path"] == "/casussen/" and line["status"] == 302 for line in lines)
    assert "Jansen" not in output
