"""Research pages under /onderzoek/: parse, call one service, render.

A researcher sees their own requests and exports; a policy officer the requests with a part of their
municipality, which they decide on. Anyone else gets 403 on the lists and 404 on a request (nobody learns
which requests exist). No page here shows case data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maatwerk.accounts import tenancy

from . import services
from .forms import DecideForm, RequestForm
from .models import RequestPart, ResearchExport, ResearchRequest, VariableGroup

PAGE_ROLES = services.REQUEST_ROLES | services.DECIDE_ROLES


def _require(user, roles) -> None:
    if not tenancy.has_role(user, *roles):
        raise PermissionDenied


def _request(user, pk) -> ResearchRequest:
    return tenancy.get_for_user_or_404(services.visible_requests(user), user, pk=pk)


def _export(request: ResearchRequest) -> ResearchExport | None:
    try:
        return request.export
    except ResearchExport.DoesNotExist:
        return None


def _status_context(user, research_request: ResearchRequest) -> dict:
    export = _export(research_request)
    return {
        "research_request": research_request,
        "export": export,
        "own": services.is_own(user, research_request),
        "may_retry": export is not None and services.may_retry(user, export),
        "downloadable": export is not None and services.is_downloadable(export),
    }


@login_required
@require_GET
def request_list(request):
    _require(request.user, PAGE_ROLES)
    researcher = tenancy.has_role(request.user, *services.REQUEST_ROLES)
    own = list(services.visible_requests(request.user).filter(researcher=request.user)) if researcher else []
    parts = list(services.parts_to_decide(request.user))
    return render(
        request,
        "research/list.html",
        {"title": _("Research"), "researcher": researcher, "own_requests": own, "parts": parts},
    )


@login_required
def request_new(request):
    _require(request.user, services.REQUEST_ROLES)
    # Bound on every POST, also an empty one (`request.POST or None` would leave that form unbound, with
    # no cleaned data for the service's errors to go on).
    form = RequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form.is_valid()  # parses; the service judges every field at once (RequestForm.service_arguments)
        try:
            created = services.create_request(by=request.user, **form.service_arguments())
        except ValidationError as exc:
            form.add_service_errors(exc, replace=True)
        else:
            messages.success(request, _("Request #%(n)d sent to the municipalities.") % {"n": created.pk})
            return redirect("research:detail", created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "research/form.html", {"title": _("New research request"), "form": form}, status=status
    )


@login_required
@require_GET
def request_detail(request, pk):
    return _detail_page(request, pk)


def _detail_page(request, pk, decide_form=None, status=200):
    research_request = _request(request.user, pk)
    parts = list(research_request.parts.select_related("municipality", "decided_by"))
    for part in parts:
        part.may_decide = part.state == RequestPart.State.PENDING and services.may_decide(request.user, part)
        if part.may_decide:
            part.form = (
                decide_form if decide_form is not None and decide_form.part == part else DecideForm(part=part)
            )
    context = _status_context(request.user, research_request)
    context.update(
        {
            "title": _("Research request #%(n)d") % {"n": research_request.pk},
            "parts": parts,
            "variable_labels": [
                VariableGroup(g).label for g in research_request.variable_groups if g in VariableGroup.values
            ],
        }
    )
    return render(request, "research/detail.html", context, status=status)


@login_required
@require_GET
def export_status(request, pk):
    """The export's state as a fragment: the detail page polls it every 2 s while the job is queued or
    running; the fragment of a finished job no longer polls."""
    research_request = _request(request.user, pk)
    return render(request, "research/_export.html", _status_context(request.user, research_request))


@login_required
@require_POST
def decide(request, pk):
    part = get_object_or_404(RequestPart.objects.select_related("request"), pk=pk)
    # A part of a request the user cannot see is a 404, one they see but may not decide a 403.
    _request(request.user, part.request_id)
    if not services.may_decide(request.user, part):
        raise PermissionDenied
    form = DecideForm(request.POST, part=part)
    form.part = part
    if form.is_valid():
        try:
            services.decide_part(
                by=request.user,
                part=part,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Decision recorded for %(m)s.") % {"m": part.municipality.name})
            return redirect("research:detail", part.request_id)
    return _detail_page(request, part.request_id, decide_form=form, status=400)


@login_required
@require_POST
def retry(request, pk):
    research_request = _request(request.user, pk)
    export = _export(research_request)
    if export is None:
        raise PermissionDenied
    try:
        services.retry_export(by=request.user, export=export)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The export is queued again."))
    return redirect("research:detail", research_request.pk)


@login_required
@require_GET
def download(request, pk):
    research_request = _request(request.user, pk)
    export = _export(research_request)
    if export is None or not services.is_own(request.user, research_request):
        raise PermissionDenied
    try:
        path = services.download(by=request.user, export=export)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("research:detail", research_request.pk)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response
