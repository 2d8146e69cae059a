"""Every change to a case file, one function per verb (after Zulip's `zerver/actions`), in one module per
concern:

- `households`: households and their persons (added, corrected with history);
- `case`: the case, its situation and its status;
- `records`: notes, time, domain scores and MDT consultations;
- `closing`: closing a case and the follow-ups at 3 and 12 months;
- `voices`: quotes and reflections for the stories: recorded, de-identified, checked, withdrawn;
- `common`: the team check, the audit row and the errors they share.

Each function takes the acting user as keyword-only `by`, runs in one transaction, validates everything
before it writes anything (a `ValidationError` with a {field: message} dict, nothing half-saved) and
writes an AccessLog row. Views and the API fetch objects through `tenancy` first; the team check here is
a second line of defence, not the permission system.

Callers import from here (`from maatwerk.cases import services; services.add_note(...)`).
"""

from .case import (
    check_transition,
    move_case,
    open_case,
    start_case,
    update_situation,
)
from .closing import OUTCOME_TEXTS, REFLECTION_TEXTS, close_case, followup_not_open_reason, record_followup
from .common import CREATE, MAX_HOURS, UPDATE
from .households import PERSON_FIELDS, add_person, correct_person, create_household
from .records import add_note, clean_hours, edit_note, record_mdt, record_scores, register_time
from .voices import (
    conversations_for,
    may_manage,
    may_record_conversations,
    may_record_in,
    record_conversation,
    record_voice,
    review_voice,
    voices_for,
    withdraw_consent,
)

__all__ = [
    "CREATE",
    "MAX_HOURS",
    "OUTCOME_TEXTS",
    "PERSON_FIELDS",
    "REFLECTION_TEXTS",
    "UPDATE",
    "add_note",
    "add_person",
    "check_transition",
    "clean_hours",
    "close_case",
    "conversations_for",
    "correct_person",
    "create_household",
    "edit_note",
    "followup_not_open_reason",
    "may_manage",
    "may_record_conversations",
    "may_record_in",
    "move_case",
    "open_case",
    "record_conversation",
    "record_followup",
    "record_mdt",
    "record_scores",
    "record_voice",
    "register_time",
    "review_voice",
    "start_case",
    "update_situation",
    "voices_for",
    "withdraw_consent",
]
