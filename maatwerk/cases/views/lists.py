from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy

from .. import queries
from ..forms import CaseFilterForm


@login_required
def case_list(request):
    workers = list(queries.team_workers(request.user))
    form = CaseFilterForm(request.GET or None, workers=workers)
    filters = queries.CaseFilter()
    if form.is_bound and form.is_valid():
        filters = queries.CaseFilter(**{k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    cases, has_next = queries.page_of(queries.search_cases(request.user, filters), page)
    queries.log_list_read(request.user, cases, purpose="case list", request=request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "title": _("Cases"),
            "form": form,
            "cases": cases,
            "page": page,
            "has_next": has_next,
            "query": query.urlencode(),
            "can_open": bool(tenancy.team_ids(request.user)),
        },
    )
