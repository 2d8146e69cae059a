# ruff: noqa: E501 (the msgids are kept on one line each, as the library has them)
"""The notes and warnings of maatwerk.lib.stats, listed for makemessages (it only finds literal strings).
The statistics library has no Django; `panels.common.notes` translates them where they are shown, and
test_stats_messages checks that this list and the library agree."""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("Computed with the skewness-corrected t interval instead of the bootstrap, for speed."),
    gettext_noop("All households have the same value: the data show no spread to estimate an interval from."),
    gettext_noop("Fewer than 30 grades: the interval is rough."),
    gettext_noop("Respondents who gave no grade are not in the mean; they may judge differently."),
    gettext_noop("Fewer than 30 households: the interval is rough."),
    gettext_noop(
        "The interval was widened beyond the bootstrap interval because the figures are skewed (a few large values): at this number of households the bootstrap alone would be too narrow."
    ),
    gettext_noop("The prediction reaches more than ten times the households it is based on."),
    gettext_noop(
        "These cases were selected (for example only closed cases with a business case): new households may differ from them, and the interval does not include that."
    ),
    gettext_noop(
        "Fewer than 30 households: a total for many more households rests on very few cases and can be far off."
    ),
]
