"""What starts a registration: the signals cases and budgets send after commit (they cannot import us)."""

from maatwerk.budgets.signals import spend_decided
from maatwerk.cases.signals import case_closed, status_changed

from . import services


def on_case_change(sender, *, case_id: int, **kwargs) -> None:
    services.request_sync(case_id)


def connect() -> None:
    for signal in (status_changed, case_closed, spend_decided):
        signal.connect(on_case_change, dispatch_uid=f"zaken-{id(signal)}")
