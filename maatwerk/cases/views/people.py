from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy

from .. import queries, services
from ..forms import PersonForm
from .common import form_page, get_case, run_service, to_case


@login_required
def person_detail(request, pk: int):
    """The one page that shows the full BSN."""
    person = tenancy.get_for_user_or_404(
        queries.persons_for(request.user).select_related("household"), request.user, pk=pk
    )
    household = person.household
    queries.log_read(
        request.user,
        person,
        household_id=household.pk,
        municipality_id=household.municipality_id,
        purpose="person detail (BSN shown)",
        request=request,
    )
    cases = queries.visible_cases(request.user).filter(household=household).order_by("-opened_on")
    return render(
        request,
        "cases/person_detail.html",
        {"title": str(person), "person": person, "household": household, "cases": cases},
    )


@login_required
def add_person(request, pk: int):
    case = get_case(request, pk, "add person")
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.add_person(case.household, by=request.user, **form.cleaned_data),
            success=_("Person added."),
        ):
            return to_case(case, "household")
    return form_page(request, case, form, title=_("Add a person"), status=400 if form.errors else 200)
