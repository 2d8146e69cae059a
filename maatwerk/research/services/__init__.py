"""Research requests from question to download: every state change is a function here that takes the
acting user (`by=`) and writes the AccessLog with the request's purpose (the AVG's purpose limitation is
the reason the log names it).

Who sees what: a researcher sees only their own requests; a policy officer sees every request with a part
of their municipality, the whole purpose and question included (they judge the purpose), but decides only
their own municipality's part. Nobody else sees a request. The researcher never reaches case data: the
export is the only thing they take away, and only their own.

The functions live in two modules: `requests` (who sees what, asking, deciding, retrying) and `jobs` (the
export job, recovery, expiry, the download); both are re-exported here, so callers say
`services.decide_part`.
"""

from .jobs import (
    STALE_AFTER,
    build_file,
    download,
    expire_due,
    export_dir,
    export_to,
    is_downloadable,
    recover_stale,
    run_export,
)
from .requests import (
    DECIDE_ROLES,
    EARLIEST_MONTH,
    NO_PERSONAL_DATA,
    REQUEST_ROLES,
    create_request,
    decide_part,
    is_own,
    may_decide,
    may_retry,
    parse_month,
    parts_to_decide,
    retry_export,
    visible_requests,
)

__all__ = [
    "DECIDE_ROLES",
    "EARLIEST_MONTH",
    "NO_PERSONAL_DATA",
    "REQUEST_ROLES",
    "STALE_AFTER",
    "build_file",
    "create_request",
    "decide_part",
    "download",
    "expire_due",
    "export_dir",
    "export_to",
    "is_downloadable",
    "is_own",
    "may_decide",
    "may_retry",
    "parse_month",
    "parts_to_decide",
    "recover_stale",
    "retry_export",
    "run_export",
    "visible_requests",
]
