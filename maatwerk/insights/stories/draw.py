"""One stories request, from a query string to what the page and the API show: the audience, the checked
filters, the sample of quotes (in proportion to who was heard, `maatwerk.lib.voices.sample`) and the
voice-balance indicator on that sample. The page, the list, the learning points and the API start here, so
they cannot differ in scope, in the groups they hide or in the draw."""

import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, QuerySet
from django.http import QueryDict

from maatwerk.cases.models import Voice
from maatwerk.lib import voices as arithmetic

from .. import audience as audiences
from ..audience import Audience
from . import indicator, source
from .forms import StoryFilterForm

SIZE = 12


@dataclass
class Request:
    form: StoryFilterForm
    audience: Audience

    @property
    def valid(self) -> bool:
        return self.form.is_valid()

    @property
    def filters(self) -> source.StoryFilters:
        return self.form.filters()

    @property
    def seed(self) -> int:
        return self.form.draw_seed()


def request_for(user, query: QueryDict) -> Request:
    """PermissionDenied without a stories role (workers, legal checkers, administrators); the form says
    whether the filters are valid."""
    allowed = audiences.levels(user, stories=True)
    level = query.get("level") or None
    who = audiences.audience(user, level if level in allowed else None, stories=True)
    return Request(StoryFilterForm(query, audience=who, levels=allowed), who)


def raise_for(request: Request) -> Request:
    """The request, or a ValidationError naming each bad filter (the API's 422)."""
    if not request.valid:
        raise ValidationError(request.form.errors_by_field)
    return request


def with_details(qs: QuerySet) -> QuerySet:
    """What a quote card shows, in three queries: the municipality and the themes (never `text`)."""
    return qs.select_related("municipality").prefetch_related("themes").defer("text", "draft_text")


@dataclass(frozen=True)
class Sample:
    voices: list[Voice]  # in the order of the draw
    indicator: indicator.Indicator
    pool: int  # how many quotes the sample was drawn from
    seed: int
    hidden: set[str]  # the groups left out for this audience


# A seeded order of a cell's quotes that both databases compute: (id * a + seed) mod p, with p prime and
# a below it, orders the ids differently for each seed (Knuth's multiplicative hash; the product stays
# within 64 bits for ids below 3 billion).
_HASH_A, _HASH_P = 2_654_435_761, 4_294_967_311
# Candidates fetched per place, so that `spread` can take distinct respondents.
_CANDIDATES = 4


def draw(audience: Audience, filters: source.StoryFilters, seed: int, size: int = SIZE) -> Sample:
    """`size` quotes of the filters, drawn with `seed`, and the indicator on them.

    Never the pool's rows: at national scale it holds half a million quotes. The places per group and
    tone come from one GROUP BY count (`lib.voices.allocate`, the same rule as `sample`); each cell with
    places then fetches a few candidates in a seeded order, of which `lib.voices.spread` takes distinct
    respondents.
    """
    heard, hidden, corpus = indicator.scope(audience, filters)
    pool = source.visible(audience, filters, hidden=hidden)
    cells = [
        arithmetic.Stratum(row["group"], row["tone"], row["n"], row["d"])
        for row in pool.order_by()
        .values("group", "tone")
        .annotate(n=Count("id"), d=Count("respondent", distinct=True))
    ]
    groups = arithmetic.groups_of(cells)
    rng = random.Random(seed)
    chosen: list[arithmetic.Item] = []
    order = ExpressionWrapper((F("id") * _HASH_A + seed) % _HASH_P, output_field=BigIntegerField())
    for (group, tone), n in sorted(arithmetic.allocate(groups, cells, heard, size, rng).items()):
        candidates = (
            pool.filter(group=group, tone=tone)
            .annotate(mix=order)
            .order_by("mix")
            .values_list("id", "group", "tone", "respondent", "shared_text")[: n * _CANDIDATES]
        )
        # One sentence once: two people can say the same words ("Eindelijk iemand die luisterde."), and a
        # page that shows them twice looks broken. Where the cell has too few others, a repeat stays.
        rows, unique, seen = list(candidates), [], set()
        for row in rows:
            if row[4] not in seen:
                seen.add(row[4])
                unique.append(row)
        chosen += arithmetic.spread(
            [arithmetic.Item(*row[:4]) for row in (unique if len(unique) >= n else rows)], n, rng
        )
    rng.shuffle(chosen)
    built = indicator.build(audience, filters, chosen, heard=heard, hidden=hidden, corpus=corpus)
    by_id = {v.pk: v for v in with_details(Voice.objects.filter(pk__in=[i.id for i in chosen]))}
    voices = [by_id[i.id] for i in chosen if i.id in by_id]
    return Sample(voices, built, sum(g.items for g in groups), seed, hidden)


def another_seed(seed: int) -> int:
    """A different seed for "another draw"."""
    rng = random.SystemRandom()
    while True:
        new = rng.randint(1, 2**31)
        if new != seed:
            return new
