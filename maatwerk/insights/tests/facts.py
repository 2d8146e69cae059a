"""Test data for the panels: fact rows written directly, and the cube summed from them in Python (so the
panel tests do not depend on the refresh job, which has tests of its own)."""

import datetime
from collections import defaultdict

from django.utils import timezone

from maatwerk.insights.models import CaseCube, CaseFact, Measures, Refresh

DIMENSIONS = ("municipality_id", "team_id", "opened_month", "closed_month", "status", "kind")
MEASURES = [
    f.name for f in Measures._meta.get_fields() if f.concrete and f.name not in DIMENSIONS and f.name != "id"
]
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


def save(facts: list[CaseFact]) -> None:
    """Store the facts and rebuild the cube from every fact stored, as a fresh refresh would have (so the
    page does not start one, which would rebuild the facts from the empty case tables)."""
    CaseFact.objects.bulk_create(facts)
    CaseCube.objects.all().delete()
    groups: dict = defaultdict(dict)
    for f in CaseFact.objects.all():
        key = tuple(getattr(f, d) for d in DIMENSIONS)
        for m in MEASURES:
            value = getattr(f, m)
            groups[key][m] = groups[key].get(m, 0) + value if m in groups[key] else value
    CaseCube.objects.bulk_create(
        CaseCube(**dict(zip(DIMENSIONS, key, strict=True)), **{m: v for m, v in sums.items()})
        for key, sums in groups.items()
    )
    now = timezone.now()
    Refresh.objects.create(started_at=now, finished_at=now, cases=CaseFact.objects.count())
