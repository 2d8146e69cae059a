"""gunicorn's settings for `make serve` (`gunicorn -c maatwerk/gunicorn_conf.py maatwerk.wsgi`), from the
environment, so that a municipality sizes it without editing code.

HOST, PORT: where to listen (127.0.0.1:8000; behind the municipality's reverse proxy, which ends TLS).
GUNICORN_WORKERS: processes (default: 2 per core + 1). GUNICORN_THREADS: threads per process (4): a page
mostly waits for the database. GUNICORN_TIMEOUT: seconds before a stuck worker is replaced (60; long work
runs in the task worker, never in a request).
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter, so not all at once): bounds any slow leak.
max_requests = 2000
max_requests_jitter = 200

# One JSON object per request on stdout, for the municipality's log collector. The path without its query
# string (%(U)s): a search term there can be a resident's name. No user, no address, no referer.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s}'
)
errorlog = "-"
