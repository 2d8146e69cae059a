"""What starts a registration: the signals cases and budgets send after commit (they cannot import us)."""

import logging

from maatwerk.budgets.signals import spend_decided
from maatwerk.cases.signals import case_closed, status_changed

from . import services

logger = logging.getLogger(__name__)


def on_case_change(sender, *, case_id: int, **kwargs) -> None:
    # After the user's change was committed: a failure to queue the export must not turn their request
    # into an error page. The registration stays as it was; `manage.py zaken_retry` picks it up.
    try:
        services.request_sync(case_id)
    except Exception:
        logger.exception("could not queue the zaak registration of case %s", case_id)


def connect() -> None:
    status_changed.connect(on_case_change, dispatch_uid="zaken-status-changed")
    case_closed.connect(on_case_change, dispatch_uid="zaken-case-closed")
    spend_decided.connect(on_case_change, dispatch_uid="zaken-spend-decided")
