from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from maatwerk.accounts import tenancy

from .. import queries
from ..forms import apply_errors
from ..models import Case


def get_case(request, pk: int, purpose: str) -> Case:
    """The case if it belongs to one of the user's teams (404 otherwise); logs the read of its household."""
    case = tenancy.get_for_user_or_404(
        queries.cases_for(request.user).select_related("household", "team", "lead_worker"),
        request.user,
        pk=pk,
    )
    queries.log_read(
        request.user,
        case,
        household_id=case.household_id,
        municipality_id=case.municipality_id,
        purpose=purpose,
        request=request,
    )
    return case


def run_service(request, form, call, *, success: str) -> bool:
    """Call the service with the parsed form; on a ValidationError put its messages on the form."""
    try:
        call()
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(request, success)
    return True


def form_page(request, case, form, *, title, intro="", submit=None, status=200):
    return render(
        request,
        "cases/form_page.html",
        {"title": title, "case": case, "form": form, "intro": intro, "submit": submit},
        status=status,
    )


def to_case(case, anchor: str = ""):
    response = redirect("cases:detail", pk=case.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response
