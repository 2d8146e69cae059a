"""The stories pages: a sample of quotes in proportion to who was heard with the voice-balance indicator
and the learning points (/verhalen/), every quote of the filters (/verhalen/alle/), and the learning
points on their own (/verhalen/leerpunten/). Team leads, policy, the programme and researchers; every
view is logged (the level only: the filters name no person). Quotes are always `shared_text`."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Role

from ..audience import NATION
from . import draw, learning, source

PER_PAGE = 25


def _log(request, req: draw.Request, what: str = "") -> None:
    level = req.audience.level
    log_access(
        request.user,
        action=AccessLog.Action.READ,
        purpose=f"stories ({level})" + (f": {what}" if what else ""),
        object_type="insights.stories",
        object_id=level,
        request=request,
    )


def _link(request, **changes) -> str:
    """This page's query string with `changes` (None removes a key)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


def _page_link(request) -> str:
    """The start of a link to another page of the list, keeping the filters: append the number."""
    query = request.GET.copy()
    query.pop("page", None)
    return "?" + (f"{query.urlencode()}&" if query else "") + "page="


def _context(request, req: draw.Request, title: str) -> dict:
    who = req.audience
    return {
        "title": title,
        "form": req.form,
        "audience": who,
        # A quote's municipality is worth saying where the reader sees more than one.
        "show_municipality": who.level == NATION or len(who.municipality_ids or ()) > 1,
        # Team leads and policy record interviews and reflection meetings (the voices of all groups).
        "records_conversations": tenancy.has_role(request.user, Role.TEAM_LEAD, Role.POLICY),
    }


def percent(share: float) -> str:
    return f"{round(share * 100)} %"


def indicator_rows(indicator) -> list[dict]:
    """The indicator's rows with their figures as the table shows them."""
    return [
        {
            "label": row.label,
            "respondents": row.respondents,
            "respondent_share": percent(row.respondent_share),
            "quotes": row.quotes,
            "quote_share": percent(row.quote_share),
            "distinct_voices": number_format(row.distinct_voices, 1),
            "tones": ", ".join(f"{label} {n}" for label, n in row.tones.items()) or "—",
        }
        for row in indicator.rows
    ]


@require_GET
@login_required
def stories_page(request):
    req = draw.request_for(request.user, request.GET)
    context = _context(request, req, _("Stories"))
    if not req.valid:
        return render(request, "insights/stories/stories.html", context, status=400)
    sample = draw.draw(req.audience, req.filters, req.seed)
    register = learning.register_url(request.user, req.audience)
    context.update(
        sample=sample,
        indicator=sample.indicator,
        indicator_rows=indicator_rows(sample.indicator),
        critical_share=percent(sample.indicator.balance.critical_share),
        corpus_critical_share=percent(sample.indicator.balance.corpus_critical_share),
        distinct_voices=number_format(sample.indicator.balance.distinct_voices, 1),
        sections=learning.learning_points(req.audience, req.filters, register=register, hidden=sample.hidden),
        another_draw=_link(request, seed=str(draw.another_seed(sample.seed))),
        this_draw=_link(request, seed=str(sample.seed)),
        all_link=_link(request, seed=None),
    )
    _log(request, req)
    return render(request, "insights/stories/stories.html", context)


@require_GET
@login_required
def all_voices(request):
    req = draw.request_for(request.user, request.GET)
    context = _context(request, req, _("All quotes"))
    if not req.valid:
        return render(request, "insights/stories/all.html", context, status=400)
    voices = draw.with_details(source.visible(req.audience, req.filters))
    # A page number past the end shows the last page, and one that is not a number the first.
    page = Paginator(voices, PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        page=page,
        voices=list(page.object_list),
        page_range=list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        ellipsis=Paginator.ELLIPSIS,
        page_link=_page_link(request),
        sample_link=_link(request, page=None),
    )
    _log(request, req, "all quotes")
    return render(request, "insights/stories/all.html", context)


@require_GET
@login_required
def learning_page(request):
    req = draw.request_for(request.user, request.GET)
    context = _context(request, req, _("Learning points for professionals"))
    if not req.valid:
        return render(request, "insights/stories/learning.html", context, status=400)
    register = learning.register_url(request.user, req.audience)
    context["sections"] = learning.learning_points(req.audience, req.filters, register=register)
    context["stories_link"] = _link(request)
    _log(request, req, "learning points")
    return render(request, "insights/stories/learning.html", context)
