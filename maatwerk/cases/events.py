"""The case file's own events on the hub timeline: notes, status changes, MDT, hours, closing, follow-ups.

Every query is one bounded SELECT (newest first, at most `limit` rows) on the case's own rows; the case
page has already checked the user's access to the case and logged the read of its household.
"""

from django.urls import reverse
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .hub import Event, as_datetime, register_timeline
from .models import FollowUp, MdtConsultation, Note, Status, StatusChange, TimeEntry

KINDS = {
    "note": gettext_lazy("notes"),
    "status": gettext_lazy("status changes"),
    "mdt": gettext_lazy("MDT consultations"),
    "time": gettext_lazy("hours"),
    "closing": gettext_lazy("closing"),
    "followup": gettext_lazy("follow-ups"),
}
TEXT_WORDS = 40


def user_label(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _short(text: str) -> str:
    return Truncator(text).words(TEXT_WORDS)


def _notes(case, limit):
    for note in (
        Note.objects.filter(case=case).select_related("author").order_by("-created_at", "-id")[:limit]
    ):
        yield Event(
            when=note.created_at,
            kind="note",
            title=_("Note") + (" " + _("(edited)") if note.edited_at else ""),
            text=_short(note.text),
            url=reverse("cases:edit_note", args=[case.pk, note.pk]),
            actor=user_label(note.author),
        )


def _status(case, kinds, limit):
    changes = StatusChange.objects.filter(case=case)
    if "status" not in kinds:
        changes = changes.filter(to_status=Status.CLOSED)
    elif "closing" not in kinds:
        changes = changes.exclude(to_status=Status.CLOSED)
    changes = changes.select_related("by").order_by("-at", "-id")[:limit]
    for change in changes:
        yield Event(
            when=change.at,
            kind="closing" if change.to_status == Status.CLOSED else "status",
            title=_("Status: %(from)s → %(to)s")
            % {"from": change.get_from_status_display(), "to": change.get_to_status_display()},
            text=change.reason,
            actor=user_label(change.by),
        )


def _mdt(case, limit):
    rows = MdtConsultation.objects.filter(case=case).select_related("requested_by")
    for mdt in rows.order_by("-held_on", "-id")[:limit]:
        yield Event(
            when=as_datetime(mdt.held_on),
            kind="mdt",
            title=_("MDT consultation"),
            text=_short(mdt.decision or mdt.question),
            url=reverse("cases:detail", args=[case.pk]) + "#mdt",
            actor=user_label(mdt.requested_by),
            all_day=True,
        )


def _time(case, limit):
    entries = TimeEntry.objects.filter(case=case).select_related("worker").order_by("-day", "-id")[:limit]
    for entry in entries:
        yield Event(
            when=as_datetime(entry.day),
            kind="time",
            title=_("%(hours)s hours: %(activity)s")
            % {"hours": formats.number_format(entry.hours, 2), "activity": entry.get_activity_display()},
            text=entry.description,
            actor=user_label(entry.worker),
            all_day=True,
        )


def _followups(case, limit):
    done = (
        FollowUp.objects.filter(case=case, done_on__isnull=False)
        .select_related("recorded_by")
        .order_by("-done_on", "-id")[:limit]
    )
    for item in done:
        yield Event(
            when=as_datetime(item.done_on),
            kind="followup",
            title=_("Follow-up recorded: %(kind)s") % {"kind": item.get_kind_display()},
            text=_short(item.notes),
            url=reverse("cases:detail", args=[case.pk]) + "#followup",
            actor=user_label(item.recorded_by),
            all_day=True,
        )


def case_events(case, user, *, kinds, limit: int) -> list[Event]:
    events: list[Event] = []
    if "note" in kinds:
        events += _notes(case, limit)
    if {"status", "closing"} & kinds:
        events += _status(case, kinds, limit)
    if "mdt" in kinds:
        events += _mdt(case, limit)
    if "time" in kinds:
        events += _time(case, limit)
    if "followup" in kinds:
        events += _followups(case, limit)
    return events


def register() -> None:
    register_timeline(case_events, kinds=KINDS)
