"""`make serve`'s server for real: gunicorn with maatwerk/gunicorn_conf.py, as a process on a free port,
on a SQLite database of its own (migrated first). Static files come through WhiteNoise, /gezondheid/
answers, and the access log is JSON without query strings (a search term can be a resident's name)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, *, seconds: float = 90) -> requests.Response:
    """The first answer of the server (it takes a few seconds to load Django in each worker)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped: {server.stdout.read()}")
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            time.sleep(0.2)  # nothing listens yet: ask again
    pytest.fail("gunicorn did not answer")


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
    base = f"http://127.0.0.1:{port}"
    wait_until_up(f"{base}/gezondheid/", process)
    yield base, process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def test_gunicorn_serves_the_app_its_static_files_and_the_health_check(server):
    base, process = server
    health = requests.get(f"{base}/gezondheid/", timeout=10)
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
