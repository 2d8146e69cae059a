"""SQLite files get WAL mode once, waiting for a writer instead of failing with "database is locked"."""

import sqlite3

import pytest
from django.db.utils import ConnectionHandler

from maatwerk.lib import sqlite
from maatwerk.settings import with_sqlite_options


def _rollback_file(path) -> str:
    """A database file in SQLite's default journal mode (delete), with one table to write to."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    conn.close()
    return str(path)


def _writer(path) -> sqlite3.Connection:
    """A connection in the middle of a write transaction: it holds the database's write lock."""
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    return writer


def _journal_mode(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_switch_to_wal_waits_for_a_writer_instead_of_failing_at_once(tmp_path, monkeypatch):
    path = _rollback_file(tmp_path / "db.sqlite3")
    writer = _writer(path)
    other = sqlite3.connect(path, isolation_level=None, timeout=20)
    # What the init_command did: SQLite does not wait for the write lock it needs to change the journal
    # mode, whatever the busy timeout.
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        other.execute("PRAGMA journal_mode=WAL")

    waits = []

    def writer_commits_while_we_wait(seconds):
        waits.append(seconds)
        if writer.in_transaction:
            writer.execute("COMMIT")

    monkeypatch.setattr(sqlite.time, "sleep", writer_commits_while_we_wait)
    assert sqlite.switch_to_wal(other) == "wal"
    assert waits, "the first attempt should have met the writer's lock"
    other.close()
    writer.close()
    assert _journal_mode(path) == "wal"


def test_a_file_already_in_wal_mode_is_not_switched_again_while_another_connection_writes(
    tmp_path, monkeypatch
):
    path = _rollback_file(tmp_path / "db.sqlite3")
    assert sqlite.switch_to_wal(sqlite3.connect(path)) == "wal"
    writer = _writer(path)
    waits = []
    monkeypatch.setattr(sqlite.time, "sleep", waits.append)
    other = sqlite3.connect(path, timeout=20)
    assert sqlite.switch_to_wal(other) == "wal"
    assert waits == []
    other.close()
    writer.close()


def test_a_write_lock_held_past_the_busy_timeout_still_fails(tmp_path):
    path = _rollback_file(tmp_path / "db.sqlite3")
    writer = _writer(path)
    impatient = sqlite3.connect(path, timeout=0.05)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        sqlite.switch_to_wal(impatient)
    impatient.close()
    writer.close()
    assert _journal_mode(path) == "delete"


def test_a_new_django_connection_waits_for_a_writer_and_puts_the_file_in_wal_mode(
    tmp_path, django_db_blocker, monkeypatch
):
    # What failed in the parallel-export test: a thread connected while another thread wrote to a file
    # not yet in WAL mode, and settings' init_command raised "database is locked".
    path = _rollback_file(tmp_path / "db.sqlite3")
    writer = _writer(path)

    def writer_commits_while_we_wait(seconds):
        if writer.in_transaction:
            writer.execute("COMMIT")

    monkeypatch.setattr(sqlite.time, "sleep", writer_commits_while_we_wait)
    settings = with_sqlite_options({"ENGINE": "django.db.backends.sqlite3", "NAME": path})
    handler = ConnectionHandler({"default": settings})
    with django_db_blocker.unblock():
        try:
            with handler["default"].cursor() as cursor:
                pragmas = {}
                for name in ("journal_mode", "synchronous", "busy_timeout"):
                    cursor.execute(f"PRAGMA {name}")
                    pragmas[name] = cursor.fetchone()[0]
        finally:
            handler.close_all()
    writer.close()
    # synchronous 1 is NORMAL; the busy timeout is settings' 20 seconds.
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 20000}
    assert _journal_mode(path) == "wal"
