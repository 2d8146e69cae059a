"""Case-file pages. Each view parses, calls one service and renders; reading goes through `queries`."""

from .case import add_note, case_detail, case_new, edit_note, move, register_time, situation
from .closing import close, followup, followups, mdt, scores
from .lists import case_list
from .people import add_person, correct_person, person_detail

__all__ = [
    "add_note",
    "add_person",
    "case_detail",
    "case_list",
    "case_new",
    "close",
    "correct_person",
    "edit_note",
    "followup",
    "followups",
    "mdt",
    "move",
    "person_detail",
    "register_time",
    "scores",
    "situation",
]
