"""The rows a dashboard sums: the cube, or the facts when a filter needs them, restricted to the audience
and the filters. Every panel starts here, so no panel can forget the scope."""

from django.db.models import QuerySet, Sum

from maatwerk.cases.queries import involving

from .audience import Audience
from .filters import Filters
from .models import CaseCube, CaseCubeAgency, CaseCubeDomain, CaseFact


def rows(audience: Audience, filters: Filters, *, per_case: bool = False) -> QuerySet:
    """The cube rows (the cube per life domain or per agency for such a filter), or with `per_case` (or
    both filters at once) the facts, one per case."""
    if per_case or (filters.domain and filters.agency):
        qs = CaseFact.objects.all()
    elif filters.domain:
        qs = CaseCubeDomain.objects.filter(domain=filters.domain)
    elif filters.agency:
        qs = CaseCubeAgency.objects.filter(agency=filters.agency)
    else:
        qs = CaseCube.objects.all()
    facts = qs.model is CaseFact
    qs = in_reach(qs, audience, filters)
    if filters.period_from:
        qs = qs.filter(opened_month__gte=filters.period_from)
    if filters.period_to:
        qs = qs.filter(opened_month__lte=filters.period_to)
    if facts and filters.domain:
        qs = involving(qs, "domains", filters.domain)
    if facts and filters.agency:
        qs = involving(qs, "agencies", filters.agency)
    return qs


def in_reach(qs: QuerySet, audience: Audience, filters: Filters) -> QuerySet:
    """Rows with a municipality_id and team_id (facts, cubes, budget months) of the audience's
    municipalities and teams, narrowed to the municipality and team filters."""
    if audience.municipality_ids is not None:
        qs = qs.filter(municipality_id__in=audience.municipality_ids)
    if audience.team_ids is not None:
        qs = qs.filter(team_id__in=audience.team_ids)
    if filters.municipality:
        qs = qs.filter(municipality_id=filters.municipality)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    return qs


def sums(qs: QuerySet, fields, *, by=()) -> list[dict]:
    """Σ of each measure in `fields` (and n), grouped by the dimensions `by`; zeros instead of None."""
    fields = ("n", *[f for f in fields if f != "n"])
    aggregates = {f: Sum(f) for f in fields}
    if by:
        result = list(qs.values(*by).annotate(**aggregates).order_by(*by))
    else:
        result = [qs.aggregate(**aggregates)]
    for row in result:
        for f in fields:
            if row[f] is None:
                row[f] = 0
    return result
