"""SQLite's write-ahead log, switched on once per database file instead of on every connection.

WAL lets readers and the one writer work at the same time. The journal mode is stored in the database
file, so it needs to be set only once. `PRAGMA journal_mode=WAL` in settings' init_command ran on every
new connection. Switching a file that is not in WAL mode yet needs the write lock, and SQLite asks for it
while the switching connection already holds a read lock. It does not wait for that lock (waiting could
deadlock), so the busy timeout does not apply: the pragma fails at once with "database is locked" when
another connection is writing, switching it too included. The parallel-export test hit this about one
run in twelve on a busy CI machine: its threads connect at once to a fresh file copy of the in-memory test
database, which is not in WAL mode, so several of them switch it at the same time.

`enable_wal` first asks for the journal mode, which needs no write lock. It switches only when the mode
is not WAL yet, and retries while another connection holds the lock, for as long as the connection's busy
timeout. It is the receiver of Django's `connection_created` (connected in accounts' AppConfig.ready).
"""

import sqlite3
import time

# The first retry comes soon (the other writer's transaction is short); later ones back off up to this.
MAX_RETRY_DELAY = 0.05


def enable_wal(sender=None, connection=None, **kwargs) -> None:
    """Put the SQLite file behind a new Django `connection` in WAL mode, if it is not already."""
    if connection is None or connection.vendor != "sqlite" or connection.is_in_memory_db():
        return  # an in-memory database has no WAL mode
    switch_to_wal(connection.connection)


def switch_to_wal(raw: sqlite3.Connection) -> str:
    """Switch the file behind `raw` to WAL mode unless it is already; returns the journal mode now."""
    mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
    if mode == "wal":
        return mode
    timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            return raw.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "database is locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, MAX_RETRY_DELAY)
