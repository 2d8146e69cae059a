"""What the policy and programme roles may see of a figure: the one place the panels ask.

For a protected audience (`Audience.protected`) every table of counts goes through
`maatwerk.lib.suppression.suppress` (cells over 1..9 households shown as "<10", and enough complementary
cells hidden, "x", that none can be worked out from the totals), and every count still shown is rounded to
a multiple of 5 (`round_count`). The filters are free (period, team, life domain, agency), so two views
can always be subtracted from each other; rounding every published count is what makes that difference
inexact (two counts of 15 and 10 say the group between them has 1 to 14 households, not exactly 5), the
practice of statistical offices for tables on demand. A mean, share or sum is shown only when its
households are (`value`). Team leads see their own team as it is.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from maatwerk.lib import suppression
from maatwerk.lib.suppression import SMALL, TOTAL

from .audience import Audience

ROUND_TO = 5
# Sums of money are rounded for the protected roles too: a sum of many households minus another sum the
# same user sees (another month, the other table) would otherwise give the sum of a few exactly.
MONEY_ROUND_TO = Decimal(1000)


def count(audience: Audience, n: int):
    """One headline count."""
    if not audience.protected:
        return n
    if 0 < n < suppression.THRESHOLD:
        return SMALL
    return suppression.round_count(n, ROUND_TO)


def value(audience: Audience, n: int, shown):
    """A mean, share, interval limit or sum over n households: `shown`, or the marker when n is hidden."""
    if n <= 0:
        return None
    if audience.protected and n < suppression.THRESHOLD:
        return SMALL
    return shown


def money(audience: Audience, amount):
    """A sum of money as it may be published: to the nearest EUR 1,000 for the protected roles."""
    if not audience.protected or amount is None:
        return amount
    return (Decimal(amount) / MONEY_ROUND_TO).quantize(Decimal(1), rounding=ROUND_HALF_UP) * MONEY_ROUND_TO


def _published(result: suppression.Suppressed, key):
    shown = result.display(key)
    if isinstance(shown, str):
        return shown
    return suppression.round_count(shown, ROUND_TO)


def one_way(audience: Audience, categories: Sequence, counts: Sequence[int], *, total: int | None = None):
    """Counts per category and the total as they may be published: (list of shown counts, shown total,
    set of hidden categories). `total` when a household can be in several categories."""
    if not audience.protected:
        shown_total = total if total is not None else sum(counts)
        return list(counts), shown_total, set()
    table = suppression.one_way(categories, counts, total=total)
    result = suppression.suppress(table)
    shown = [_published(result, c) for c in categories]
    return shown, _published(result, TOTAL), {c for c in categories if c in result.hidden}
