"""What every panel shares: the context it is built in, and turning statistics into table cells."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext

from .. import disclosure, source
from ..audience import Audience
from ..filters import DEFAULT_TO, Filters
from ..models import MEASURE_NAMES

# One seed per page: the same data give the same interval on every load.
SEED = 20161
# Up to this many households a panel fetches their figures and bootstraps (RESAMPLES replicates); above
# it, it reads the sums and uses Hall's skewness-corrected interval alone. Hall's interval covered 96 % at
# n = 30 and at n = 300 on skewed savings in the library's simulations (lib/stats docstring), the
# bootstrap adds its BCa union for the smallest groups. Measured at 1,000,000 cases (bench_insights):
# with 2,000 a municipality's page spent 3 s fetching and resampling the households of each kind of
# maatwerk; a page holds up to a dozen such intervals and must answer within half a second.
BOOTSTRAP_MAX_N = 500
RESAMPLES = 2000


@dataclass
class Context:
    audience: Audience
    filters: Filters
    to: int = DEFAULT_TO  # new households in the extrapolation panel

    @cached_property
    def rows(self) -> QuerySet:
        return source.rows(self.audience, self.filters)

    @cached_property
    def facts(self) -> QuerySet:
        return source.rows(self.audience, self.filters, per_case=True)

    def sums(self, fields, *, by=()) -> list[dict]:
        return source.sums(self.rows, fields, by=by)

    @cached_property
    def total(self) -> dict:
        """The sums of every measure over the selection, read once for the headline figures."""
        return self.sums(MEASURE_NAMES)[0]

    def rng(self, salt: int = 0) -> np.random.Generator:
        return np.random.default_rng(SEED + salt)

    def count(self, n: int):
        return disclosure.count(self.audience, n)

    def value(self, n: int, shown):
        return disclosure.value(self.audience, n, shown)


def interval_cells(ctx: Context, n: int, interval, *, scale: float = 1.0) -> dict:
    """estimate / low / high cells of an interval over n households (hidden together)."""
    if interval is None:
        return {"estimate": ctx.value(n, None), "low": None, "high": None}
    return {
        "estimate": ctx.value(n, interval.estimate * scale),
        "low": ctx.value(n, interval.low * scale),
        "high": ctx.value(n, interval.high * scale),
    }


# The statistics library speaks English (it has no Django); its notes are msgids translated here, at the
# moment they are shown. makemessages only finds literal strings, so they are listed once for it in
# `stats_messages.py`; a test checks that every NOTE_ and WARNING_ constant of maatwerk.lib.stats has a
# Dutch translation.
def notes(*results) -> list[str]:
    """The translated notes and warnings of statistics results (each once, in order)."""
    out = []
    for result in results:
        for note in tuple(getattr(result, "notes", ())) + tuple(getattr(result, "warnings", ())):
            text = gettext(note)
            if text not in out:
                out.append(text)
    return out
