"""What the PostgreSQL benchmarks share: where the server binaries are and a free port for a throwaway
server (the servers themselves differ: bench_budgets' is temporary, bench_insights' may be kept)."""

import glob
import os
import socket
import sys


def pg_bindir() -> str:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(d, "initdb"), os.X_OK):
            return d
    sys.exit("PostgreSQL server binaries not found: source scripts/pg-test-server.sh once to install them")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
