from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.validation import parse_page

from .. import queries
from ..forms import CaseFilterForm
from .common import page_error


@login_required
def case_list(request):
    workers = list(queries.team_workers(request.user))
    form = CaseFilterForm(request.GET or None, workers=workers)
    filters = queries.CaseFilter()
    errors: dict = {}
    page = parse_page(request.GET.get("page"), errors)
    if form.is_bound and form.is_valid():
        filters = queries.CaseFilter(**{k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    if errors or form.errors:
        # A filter that is not valid shows no cases rather than all of them: the user asked for fewer.
        cases, has_next = [], False
    else:
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
            "page_error": page_error(errors),
        },
        status=400 if errors or form.errors else 200,
    )
