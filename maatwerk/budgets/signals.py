"""Signals other apps listen to (e.g. zaken, the export to Open Zaak), sent after the change is committed.

`budgets` imports none of its listeners: an app above it connects a receiver from its AppConfig.ready().
"""

from django.dispatch import Signal

from maatwerk.cases.signals import send_on_commit

__all__ = ["send_on_commit", "spend_decided"]

# A spend request was approved or rejected: kwargs spend_id, case_id, status (SpendStatus value).
spend_decided = Signal()
