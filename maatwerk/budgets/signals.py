"""Signals other apps listen to (e.g. zaken, the export to Open Zaak), sent after the change is committed.

`budgets` imports none of its listeners: an app above it connects a receiver from its AppConfig.ready().
"""

from django.db import transaction
from django.dispatch import Signal

# A spend request was approved or rejected: kwargs spend_id, case_id, status (SpendStatus value).
spend_decided = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    # robust: a listener that fails is logged; the change is committed and the user's request succeeds.
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs), robust=True)
