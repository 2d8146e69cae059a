"""The report pages: the list with a form to start one, a report with its stories, warnings and figures,
the select control's target (`stories:select`), and the exports. Every rule is in `services`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Municipality, Team
from maatwerk.validation import MAX_TEXT, parse_id

from ... import audience as audiences
from ...filters import MonthField
from .. import source
from . import content as contents
from . import exports, services


class ReportForm(forms.Form):
    """A new report: its title and the scope (the stories page's filters, carried over in the URL)."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)
    period_from = MonthField(label=gettext_lazy("Stories from (month)"), required=False)
    period_to = MonthField(label=gettext_lazy("up to and including (month)"), required=False)
    municipality = forms.TypedChoiceField(
        label=gettext_lazy("Municipality"), coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), coerce=int, required=False, empty_value=None)

    def __init__(self, data=None, *, user, initial=None, prefix=None):
        super().__init__(data, initial=initial, prefix=prefix)
        levels = audiences.levels(user, stories=True)
        self.fields["level"].choices = [(lv, audiences.LEVELS[lv]) for lv in levels]
        widest = audiences.audience(user, levels[-1], stories=True)
        municipalities = Municipality.objects.order_by("name")
        teams = Team.objects.select_related("municipality").order_by("municipality__name", "name")
        if widest.municipality_ids is not None:
            municipalities = municipalities.filter(pk__in=widest.municipality_ids)
            teams = teams.filter(municipality_id__in=widest.municipality_ids)
        if widest.team_ids is not None:
            teams = teams.filter(pk__in=widest.team_ids)
            municipalities = municipalities.filter(pk__in=teams.values("municipality_id"))
        everything = [("", _("all"))]
        self.fields["municipality"].choices = everything + [(m.pk, m.name) for m in municipalities]
        self.fields["team"].choices = everything + [
            (t.pk, f"{t.name} ({t.municipality.name})") for t in teams
        ]
        if len(levels) < 2:
            self.fields["level"].widget = forms.HiddenInput()

    def filters(self) -> source.StoryFilters:
        d = self.cleaned_data
        return source.StoryFilters(
            period_from=d.get("period_from"),
            period_to=d.get("period_to"),
            municipality=d.get("municipality"),
            team=d.get("team"),
        )

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                self.add_error(field if field in self.fields else None, message)


def _stories_url() -> str:
    # The stories page is another module's ("stories:page" once it is merged).
    try:
        return reverse("stories:page")
    except NoReverseMatch:
        return ""


def _scope_initial(query) -> dict:
    return {key: query.get(key, "") for key in ("level", "period_from", "period_to", "municipality", "team")}


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    audiences.audience(request.user, stories=True)  # 403 without a stories role
    form = ReportForm(request.POST or None, user=request.user, initial=_scope_initial(request.GET))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.create_report(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    level=form.cleaned_data.get("level") or None,
                    filters=form.filters(),
                )
            except ValidationError as e:
                form.add_service_errors(e)
            else:
                messages.success(
                    request, _("The report has been made; choose its stories on the stories page.")
                )
                return redirect("stories:report", pk=report.pk)
        status = 400
    reports = services.visible(request.user).select_related("municipality", "team")
    return render(
        request,
        "insights/stories/report_list.html",
        {
            "title": _("Reports for the reflection meeting"),
            "form": form,
            "reports": [(r, contents.scope_label(r), contents.period_label(r)) for r in reports],
            "stories_url": _stories_url(),
        },
        status=status,
    )


def _report_page(request, report, *, ack_errors=None, note="", status=200):
    c = contents.build(report, request.user)
    log_access(
        request.user,
        report,
        action=AccessLog.Action.READ,
        purpose="story report",
        object_type=services.OBJECT_TYPE,
        municipality_id=report.municipality_id,
        request=request,
    )
    return render(
        request,
        "insights/stories/report.html",
        {
            "title": report.title,
            "c": c,
            "ack_errors": ack_errors or [],
            "note": note,
            "acknowledger_role": contents.acknowledger_role(report),
            "indicator_table": exports._indicator_table(c),
            "indicator_summary": exports._indicator_summary(c),
            "hidden_note": exports._hidden_note(c) if c.indicator.hidden else "",
            "max_text": MAX_TEXT,
        },
        status=status,
    )


@login_required
@require_GET
def report_detail(request, pk: int):
    return _report_page(request, services.get_visible_or_404(request.user, pk))


@login_required
@require_POST
def acknowledge(request, pk: int):
    report = services.get_visible_or_404(request.user, pk)
    note = request.POST.get("note", "")
    try:
        services.acknowledge_flags(report, by=request.user, note=note)
    except ValidationError as e:
        errors = [m for ms in e.message_dict.values() for m in ms]
        return _report_page(request, report, ack_errors=errors, note=note, status=400)
    messages.success(request, _("Noted: the warnings have been read. The report can be exported."))
    return redirect("stories:report", pk=report.pk)


@login_required
@require_POST
def unselect(request, pk: int):
    report = services.get_visible_or_404(request.user, pk)
    errors: dict = {}
    voice_id = parse_id(request.POST.get("voice"), "voice", errors)
    if errors:
        raise Http404(_("Not found, or not visible for you."))
    try:
        services.unselect_voice(report, voice_id, by=request.user)
    except ValidationError:
        raise Http404(_("Not found, or not visible for you.")) from None
    messages.success(request, _("The story has been taken out of the report."))
    return redirect("stories:report", pk=report.pk)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _labelled(errors: dict) -> dict:
    return {field: [str(m) for m in ms] for field, ms in errors.items()}


@login_required
@require_POST
def select(request):
    """The select control's form: an existing report of the user's, or a new one (title and the stories
    page's scope), and the reason. On bad input the control again with the errors at its fields (400);
    on success back to `next` (a path of this site) or the report."""
    audiences.audience(request.user, stories=True)  # 403 without a stories role
    post = request.POST
    errors: dict = {}
    voice_id = parse_id(post.get("voice"), "voice", errors)
    chosen = post.get("report", "")
    reason = post.get("reason", "")
    if not reason.strip():
        errors["reason"] = [_("This field is required.")]
    report = None
    if chosen != "new":
        report_id = parse_id(chosen, "report", errors)
        if report_id:
            report = services.visible(request.user).filter(pk=report_id).first()
            if report is None:
                errors["report"] = _("Choose one of your reports, or a new one.")
    if errors:
        return _select_errors(request, voice_id, errors)
    try:
        with transaction.atomic():  # a new report without its story is not kept
            if report is None:
                form = ReportForm(post, user=request.user, prefix="new")
                if not form.is_valid():
                    raise ValidationError(dict(form.errors))
                report = services.create_report(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    level=form.cleaned_data.get("level") or None,
                    filters=form.filters(),
                )
            services.select_voice(report, voice_id, by=request.user, reason=reason)
    except ValidationError as e:
        return _select_errors(request, voice_id, e.message_dict)
    messages.success(request, _("The story is in the report “%(title)s”.") % {"title": report.title})
    return redirect(_safe_next(request, reverse("stories:report", kwargs={"pk": report.pk})))


def _select_errors(request, voice_id, errors: dict):
    return render(
        request,
        "insights/stories/report_select.html",
        {
            "title": _("Choose a story for a report"),
            "voice": {"pk": voice_id or ""},
            "select_errors": _labelled({k: v if isinstance(v, list) else [v] for k, v in errors.items()}),
            "select_data": request.POST,
            "next": _safe_next(request, ""),
        },
        status=400,
    )


@login_required
@require_GET
def export(request, pk: int, fmt: str):
    report = services.get_visible_or_404(request.user, pk)
    body, content_type, filename = exports.export(report, by=request.user, fmt=fmt, request=request)
    response = HttpResponse(body, content_type=content_type)
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
