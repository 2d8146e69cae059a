"""The dashboard's panels, in the order of the page: each a function of the context that returns one or
more figures (or None when it does not apply to this audience or filter)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import barriers, cases, extrapolation, money, outcomes, workload
from .common import Context


@dataclass
class Section:
    slug: str
    title: str
    figures: list


SECTIONS = [
    (
        "cases",
        _("Cases"),
        [cases.by_status, cases.per_month, cases.duration, cases.by_domain, cases.by_agency],
    ),
    ("money", _("Maatwerk spend and budget"), [money.spend_by_channel, money.budget_exhaustion]),
    ("yield", _("What it yields"), [money.business_cases, money.by_kind, extrapolation.figure]),
    ("outcomes", _("Outcomes"), [outcomes.realised, outcomes.recurrence, outcomes.grades]),
    ("workload", _("Workload"), [workload.hours, workload.per_worker]),
    ("barriers", _("Barriers"), [barriers.top_barriers]),
]


def _figures(ctx: Context, panels):
    for panel in panels:
        made = panel(ctx)
        if made is None:
            continue
        yield from made if isinstance(made, tuple | list) else [made]


def sections(ctx: Context) -> list[Section]:
    out = []
    for slug, title, panels in SECTIONS:
        figures = list(_figures(ctx, panels))
        if figures:
            out.append(Section(slug, title, figures))
    return out


def find(ctx: Context, slug: str):
    """One figure by its slug (for its CSV), or None; the panels after it are not computed."""
    for _slug, _title, panels in SECTIONS:
        for figure in _figures(ctx, panels):
            if figure.slug == slug:
                return figure
    return None
