"""Signals other apps listen to (e.g. zaken, the export to Open Zaak), sent after the change is committed.

`cases` imports none of its listeners: an app above it connects a receiver from its AppConfig.ready().
Both are sent through transaction.on_commit, so a receiver never sees a change that was rolled back.
"""

from django.db import transaction
from django.dispatch import Signal

# A case's status changed: kwargs case_id, status_change_id, to_status.
status_changed = Signal()
# A case was closed (outcome recorded): kwargs case_id.
case_closed = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    # robust: a listener that fails is logged; the change is committed and the user's request succeeds.
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs), robust=True)
