"""Insights API: the extrapolation of the dashboard, with the same filters and the same protection."""

from typing import Annotated

from django.http import QueryDict
from ninja import Field, Query, Router, Schema

from . import dashboard
from .filters import DEFAULT_TO, MAX_TO
from .panels import extrapolation

router = Router(tags=["insights"])


class ExtrapolationQuery(Schema):
    to: Annotated[int, Field(ge=1, le=MAX_TO)] = DEFAULT_TO
    level: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    municipality: str | None = None
    team: str | None = None
    domain: str | None = None
    agency: str | None = None


class Range(Schema):
    estimate: float
    low: float
    high: float
    method: str


class ExtrapolationOut(Schema):
    n: int | str = Field(description='Cases with a business case; "<10" for few, for policy and programme.')
    to: int
    weakest_grade: str | None
    haircut: float
    level: float
    per_household: Range | None
    total: Range | None
    warnings: list[str]


@router.get("/extrapolation", response=ExtrapolationOut, summary="Would N new households save as much?")
def get_extrapolation(request, params: Query[ExtrapolationQuery]):
    """The prediction interval for the total net of `to` new households like those selected, never `to`
    times the mean. Same filters as the dashboard page (`level`, `period_from`/`period_to` as YYYY-MM,
    `municipality`, `team`, `domain`, `agency`)."""
    query = QueryDict(mutable=True)
    for key, value in params.dict().items():
        if key != "to" and value not in (None, ""):
            query[key] = value
    ctx = dashboard.raise_for(dashboard.build(request.user, query))
    return extrapolation.as_json(ctx, params.to)
