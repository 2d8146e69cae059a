from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy

from .. import lib, queries, services
from ..forms import PersonCorrectionForm, PersonForm
from ..models import Person
from .common import form_page, get_case, run_service, to_case


def _person(request, pk: int, purpose: str):
    """The person if their household belongs to one of the user's teams (404 otherwise); logs the read."""
    person = tenancy.get_for_user_or_404(
        queries.persons_for(request.user).select_related("household"), request.user, pk=pk
    )
    household = person.household
    queries.log_read(
        request.user,
        person,
        household_id=household.pk,
        municipality_id=household.municipality_id,
        purpose=purpose,
        request=request,
    )
    return person


FIELD_LABELS = {name: field.label for name, field in PersonForm.base_fields.items()}


def _history(person) -> list[dict]:
    """The corrections newest first, each as who, when, why and (label, before, after) per field."""
    rows = []
    for rev in person.revisions.select_related("changed_by"):
        changes = []
        for name, after in rev.after.items():
            before = rev.before.get(name)
            if name == "bsn":  # shown masked here too: the full BSN is only in the data list above
                before, after = lib.mask_bsn(before or ""), lib.mask_bsn(after or "")
            elif name == "role":
                before, after = _role_label(before), _role_label(after)
            changes.append(
                (
                    FIELD_LABELS.get(name, name),
                    before if before not in (None, "") else "—",
                    after if after not in (None, "") else "—",
                )
            )
        rows.append({"revision": rev, "changes": changes})
    return rows


def _role_label(value) -> str:
    try:
        return str(Person.HouseholdRole(value).label)
    except ValueError:
        return value or ""


@login_required
def person_detail(request, pk: int):
    """The one page that shows the full BSN."""
    person = _person(request, pk, "person detail (BSN shown)")
    household = person.household
    cases = queries.visible_cases(request.user).filter(household=household).order_by("-opened_on")
    return render(
        request,
        "cases/person_detail.html",
        {
            "title": str(person),
            "person": person,
            "household": household,
            "cases": cases,
            "history": _history(person),
            "may_correct": household.team_id in tenancy.team_ids(request.user),
        },
    )


@login_required
def correct_person(request, pk: int):
    person = _person(request, pk, "correct person")
    initial = {f: getattr(person, f) for f in services.PERSON_FIELDS}
    form = PersonCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            form,
            lambda: services.correct_person(person, by=request.user, **form.cleaned_data),
            success=_("Correction saved; the earlier data are kept in the history."),
        ):
            return redirect("cases:person", pk=person.pk)
    return render(
        request,
        "cases/person_correct.html",
        {"title": _("Correct %(person)s") % {"person": person}, "person": person, "form": form},
        status=400 if form.errors else 200,
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
