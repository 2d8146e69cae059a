"""Case-file pages. Each view parses, calls one service and renders; reading goes through `queries`."""

from .case import add_note, case_detail, case_new, edit_note, move, register_time, situation
from .closing import close, followup, followups, mdt, scores
from .lists import case_list
from .people import add_person, correct_person, person_detail
from .voices import (
    case_voices,
    conversation_detail,
    conversation_list,
    conversation_new,
    review_voice,
    voice_fragment,
    withdraw_voice,
)

__all__ = [
    "add_note",
    "add_person",
    "case_detail",
    "case_list",
    "case_new",
    "case_voices",
    "close",
    "conversation_detail",
    "conversation_list",
    "conversation_new",
    "correct_person",
    "edit_note",
    "followup",
    "followups",
    "mdt",
    "move",
    "person_detail",
    "register_time",
    "review_voice",
    "scores",
    "situation",
    "voice_fragment",
    "withdraw_voice",
]
