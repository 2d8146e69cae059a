#!/usr/bin/env bash
# `make run`: the task worker (`manage.py db_worker`, which runs the dashboards' refresh and the research
# exports) in the background and the web server in the foreground; when the server stops (Ctrl-C), the
# worker stops too.
# Usage: scripts/run-with-worker.sh PYTHON SERVER-COMMAND...  (e.g. .venv/bin/python manage.py runserver)
set -uo pipefail
python=$1
shift

# This is the only worker: a research export it was building when it was killed is still marked running
# (and one whose task vanished still queued). Queue those again before it starts, so none is lost; the
# attempt number keeps the old one from being built as well.
"$python" manage.py recover_research --stale-after 0 --verbosity 0 || echo "recover_research failed" >&2

# No autoreloader for the worker: its reloader would start a second process that a signal to the first
# does not reach. After changing a task's code, restart `make run`.
"$python" manage.py db_worker --no-reload --interval 2 --verbosity 0 &
worker=$!

stop_worker() {
  trap - EXIT INT TERM
  if kill -0 "$worker" 2>/dev/null; then
    # The worker finishes a running task on the first signal; a refresh rolls back whole if cut short.
    kill -TERM "$worker" 2>/dev/null
    wait "$worker" 2>/dev/null
  fi
}
trap stop_worker EXIT
trap 'exit 130' INT TERM

"$python" "$@"
