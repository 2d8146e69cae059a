from django.utils import translation

from maatwerk.insights.stats_messages import MESSAGES
from maatwerk.lib import stats


def library_messages() -> set[str]:
    return {getattr(stats, name) for name in dir(stats) if name.startswith(("NOTE_", "WARNING_"))}


def test_every_note_of_the_statistics_library_is_listed_for_translation():
    assert set(MESSAGES) == library_messages()


def test_every_note_of_the_statistics_library_has_a_dutch_text():
    with translation.override("nl"):
        untranslated = [m for m in library_messages() if translation.gettext(m) == m]
    assert not untranslated
