"""The retry button of the case page's Open Zaak panel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maatwerk.accounts import tenancy
from maatwerk.cases import queries

from . import services
from .hub import PANEL_TEMPLATE, panel_context
from .models import CaseRegistration


@login_required
def panel(request, case_id: int):
    """The case page's Open Zaak panel on its own, which polls it while the registration is under way."""
    case = tenancy.get_for_user_or_404(queries.visible_cases(request.user), request.user, pk=case_id)
    reg = get_object_or_404(CaseRegistration, case=case)
    return render(request, PANEL_TEMPLATE, panel_context(case, request.user, reg))


@login_required
@require_POST
def retry(request, case_id: int):
    # Scoped like the case page: another team's case (or no team at all) answers 404.
    case = tenancy.get_for_user_or_404(queries.visible_cases(request.user), request.user, pk=case_id)
    try:
        services.retry(case, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The registration in Open Zaak is tried again."))
    return redirect(reverse("cases:detail", args=[case.pk]))
