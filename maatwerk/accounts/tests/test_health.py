"""/gezondheid/: the load balancer's and the monitor's question, anonymous and without personal data."""

import datetime

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maatwerk import health
from maatwerk.insights import tasks

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthy_instance_answers_200_to_anyone(client):
    response = client.get("/gezondheid/")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "worker": {"status": "ok", "waiting": 0, "oldest_wait_seconds": 0},
        "status": "ok",
    }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@override_settings(TASKS=DATABASE_BACKEND, HEALTH_MAX_QUEUE_SECONDS=300)
def test_a_worker_that_stopped_taking_tasks_makes_it_503(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    assert tasks.request_refresh()  # a task ready for the worker
    assert client.get("/gezondheid/").json()["worker"] == {
        "status": "ok",
        "waiting": 1,
        "oldest_wait_seconds": 0,
    }
    time_machine.shift(datetime.timedelta(seconds=301))
    response = client.get("/gezondheid/")
    assert response.status_code == 503
    assert response.json()["worker"] == {"status": "behind", "waiting": 1, "oldest_wait_seconds": 301}
    # The worker takes it: healthy again.
    DBTaskResult.objects.get().claim("worker-1")
    assert client.get("/gezondheid/").status_code == 200


def test_a_database_that_does_not_answer_makes_it_503(client, monkeypatch):
    def broken():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "database_ok", lambda: False)
    response = client.get("/gezondheid/")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "status": "error"}
    monkeypatch.undo()
    monkeypatch.setattr(health.connection, "cursor", broken)
    assert health.database_ok() is False


def test_only_get(client):
    assert client.post("/gezondheid/").status_code == 405
