"""Test data for the panels: fact rows written directly, and the cube summed from them in Python (so the
panel tests do not depend on the refresh job, which has tests of its own)."""

import datetime
from collections import defaultdict

from django.utils import timezone

from maatwerk.cases import lib
from maatwerk.insights.models import (
    DIMENSIONS,
    CaseCube,
    CaseCubeAgency,
    CaseCubeDomain,
    CaseFact,
    Refresh,
)
from maatwerk.insights.models import MEASURE_NAMES as MEASURES

_next_case = [100_000]


def fact(team, *, status="execution", opened=datetime.date(2026, 3, 1), **measures) -> CaseFact:
    _next_case[0] += 1
    return CaseFact(
        case_id=_next_case[0],
        municipality_id=team.municipality_id,
        team_id=team.pk,
        opened_month=opened,
        status=status,
        **measures,
    )


def _cube(model, facts, extra=None) -> None:
    """`model` rebuilt from `facts`: grouped by the dimensions (and `extra`: (column, mask attribute)),
    every measure summed."""
    model.objects.all().delete()
    groups: dict = defaultdict(dict)
    for f in facts:
        keys = [None]
        if extra:
            keys = lib.from_mask(getattr(f, extra[1]))
        for k in keys:
            key = tuple(getattr(f, d) for d in DIMENSIONS) + ((k,) if extra else ())
            for m in MEASURES:
                value = getattr(f, m)
                groups[key][m] = groups[key][m] + value if m in groups[key] else value
    names = DIMENSIONS + ((extra[0],) if extra else ())
    model.objects.bulk_create(
        model(**dict(zip(names, key, strict=True)), **sums) for key, sums in groups.items()
    )


def save(facts: list[CaseFact]) -> None:
    """Store the facts and rebuild the cubes from every fact stored, as a fresh refresh would have (so the
    page does not start one, which would rebuild the facts from the empty case tables)."""
    CaseFact.objects.bulk_create(facts)
    stored = list(CaseFact.objects.all())
    _cube(CaseCube, stored)
    _cube(CaseCubeDomain, stored, ("domain", "domains"))
    _cube(CaseCubeAgency, stored, ("agency", "agencies"))
    now = timezone.now()
    Refresh.objects.create(started_at=now, finished_at=now, cases=len(stored))
