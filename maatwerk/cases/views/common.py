from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.forms import add_service_errors

from .. import queries
from ..models import Case


def get_case(request, pk: int, purpose: str) -> Case:
    """The case if it belongs to one of the user's teams (404 otherwise); logs the read of its household."""
    case = tenancy.get_for_user_or_404(
        queries.visible_cases(request.user).select_related("household", "team", "lead_worker"),
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
        add_service_errors(form, exc)
        return False
    messages.success(request, success)
    return True


def page_error(errors: dict) -> str:
    """The page number's error (from validation.parse_page) as a sentence that names the field."""
    return _("Page: %(error)s") % {"error": errors["page"]} if "page" in errors else ""


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
