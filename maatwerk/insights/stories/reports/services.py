"""The rules of the story reports, in one place for the pages and the exports.

Every change takes the acting user (`by=`), runs in one transaction and writes an audit row. A report is
seen by the users whose stories audience at its level covers its scope (`visible`); everybody else gets
404. A story may be selected when it is in the report's scope for the selecting user: shared, consent not
withdrawn, not of a group hidden for them (`selectable`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Team
from maatwerk.cases.models import Voice
from maatwerk.validation import check_personal_data, column_length, parse_text

from ... import audience as audiences
from ...audience import MUNICIPALITY, NATION, TEAM, Audience
from ...models import StoryReport, StorySelection
from .. import indicator, source

OBJECT_TYPE = "insights.storyreport"


# --- who sees what ----------------------------------------------------------------------------------------


def visible(user) -> QuerySet:
    """The reports the user may open: per stories level they hold, those of their teams (team lead),
    municipalities (policy, researcher) or all national ones (programme)."""
    allowed = Q(pk__in=[])
    for level in audiences.levels(user, stories=True):
        who = audiences.audience(user, level, stories=True)
        if level == TEAM:
            allowed |= Q(level=TEAM, team_id__in=who.team_ids)
        elif level == MUNICIPALITY:
            allowed |= Q(level=MUNICIPALITY, municipality_id__in=who.municipality_ids)
        else:
            allowed |= Q(level=NATION)
    return StoryReport.objects.filter(allowed)


def get_visible_or_404(user, pk) -> StoryReport:
    report = visible(user).filter(pk=pk).first()
    if report is None:
        raise Http404(_("Not found, or not visible for you."))
    return report


def _require_visible(user, report: StoryReport) -> None:
    if not visible(user).filter(pk=report.pk).exists():
        raise Http404(_("Not found, or not visible for you."))


def audience_of(report: StoryReport, user) -> Audience:
    return audiences.audience(user, report.level, stories=True)


def filters_of(report: StoryReport) -> source.StoryFilters:
    return source.StoryFilters(
        period_from=report.period_from,
        period_to=report.period_to,
        municipality=report.municipality_id,
        team=report.team_id,
    )


def scope_of(report: StoryReport, who: Audience):
    """(filters, respondents, hidden groups, corpus, the shared voices it may hold) of the report for the
    audience `who`: what its page, its exports and its warnings are computed on."""
    filters = filters_of(report)
    heard, hidden, corpus = indicator.scope(who, filters)
    shared = source.visible(who, filters, hidden=hidden)
    return filters, heard, hidden, corpus, shared


def selection_indicator(report: StoryReport, user) -> indicator.Indicator:
    """The voice-balance indicator of the report's selection (withdrawn voices are gone from it)."""
    who = audience_of(report, user)
    filters, heard, hidden, corpus, shared = scope_of(report, who)
    selected = shared.filter(pk__in=StorySelection.objects.filter(report=report).values("voice_id"))
    return indicator.build(who, filters, source.items(selected), heard=heard, hidden=hidden, corpus=corpus)


def selectable(report: StoryReport, user) -> QuerySet:
    """The voices the user may select for (or see in) the report: shared, in its scope for the user's
    audience at its level, not of a group hidden for that audience."""
    return source.visible(audience_of(report, user), filters_of(report))


# --- scope ------------------------------------------------------------------------------------------------


def _scope(who: Audience, filters: source.StoryFilters, errors: dict) -> tuple[int | None, int | None]:
    """The report's municipality and team: the filters, checked against the audience, and completed so that
    the report has an owner at its level (a team lead's one team, a policy user's one municipality)."""
    municipality, team = filters.municipality, filters.team
    if municipality and who.municipality_ids is not None and municipality not in who.municipality_ids:
        errors["municipality"] = _("Choose one of your own municipalities.")
    if team:
        found = Team.objects.filter(pk=team).values_list("municipality_id", flat=True).first()
        if (
            found is None
            or (who.team_ids is not None and team not in who.team_ids)
            or (who.municipality_ids is not None and found not in who.municipality_ids)
        ):
            errors["team"] = _("Choose one of your own teams.")
        elif municipality and found != municipality:
            errors["team"] = _("This team is not of the chosen municipality.")
        else:
            municipality = found
    if who.level == TEAM and not team and "team" not in errors:
        if len(who.team_ids) == 1:
            team = next(iter(who.team_ids))
            municipality = Team.objects.get(pk=team).municipality_id
        else:
            errors["team"] = _("Choose the team the report is about.")
    if who.level == MUNICIPALITY and not municipality and "municipality" not in errors:
        if len(who.municipality_ids) == 1:
            municipality = next(iter(who.municipality_ids))
        else:
            errors["municipality"] = _("Choose the municipality the report is about.")
    if filters.period_from and filters.period_to and filters.period_from > filters.period_to:
        errors["period_to"] = _("The last month lies before the first month.")
    return municipality, team


def _log(by, report: StoryReport, *, action: str, purpose: str, request=None) -> None:
    log_access(
        by,
        report,
        action=action,
        purpose=purpose,
        object_type=OBJECT_TYPE,
        municipality_id=report.municipality_id,
        request=request,
    )


# --- changes ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_report(*, by, title, level=None, filters: source.StoryFilters | None = None) -> StoryReport:
    """A new, empty report in the user's stories audience at `level` (default their narrowest), over the
    scope of `filters` (its group, tone and theme are not kept). PermissionDenied without a stories role."""
    who = audiences.audience(by, level or None, stories=True)
    filters = filters or source.StoryFilters()
    errors: dict = {}
    title = parse_text(title, "title", errors, required=True, max_length=column_length(StoryReport, "title"))
    check_personal_data(
        title, "title", capfirst(_("title")), errors, _("Name the meeting or the theme, not a person.")
    )
    municipality, team = _scope(who, filters, errors)
    if errors:
        raise ValidationError(errors)
    report = StoryReport.objects.create(
        title=title,
        level=who.level,
        period_from=filters.period_from,
        period_to=filters.period_to,
        municipality_id=municipality,
        team_id=team,
        created_by=by,
    )
    _log(by, report, action=AccessLog.Action.CREATE, purpose="story report created")
    return report


@transaction.atomic
def select_voice(report: StoryReport, voice: Voice | int, *, by, reason) -> StorySelection:
    """The story in the report with the panel's reason. Http404 when the report is not visible to `by`; a
    ValidationError naming the field when the reason is missing or the voice may not be selected."""
    _require_visible(by, report)
    errors: dict = {}
    reason = parse_text(reason, "reason", errors, required=True)
    check_personal_data(
        reason,
        "reason",
        capfirst(_("reason for the choice")),
        errors,
        _("Say why the story matters, not who it is."),
    )
    voice_id = voice.pk if isinstance(voice, Voice) else voice
    if not selectable(report, by).filter(pk=voice_id).exists():
        errors["voice"] = _(
            "This story cannot be chosen for this report: it is outside the report's scope, or no longer "
            "shared."
        )
    elif StorySelection.objects.filter(report=report, voice_id=voice_id).exists():
        errors["voice"] = _("This story is already in the report.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            selection = StorySelection.objects.create(
                report=report, voice_id=voice_id, reason=reason, selected_by=by
            )
    except IntegrityError:  # selected by somebody else a moment ago
        raise ValidationError({"voice": _("This story is already in the report.")}) from None
    _log(by, report, action=AccessLog.Action.UPDATE, purpose="story selected for report")
    return selection


@transaction.atomic
def unselect_voice(report: StoryReport, voice: Voice | int, *, by) -> None:
    _require_visible(by, report)
    voice_id = voice.pk if isinstance(voice, Voice) else voice
    deleted, _rows = StorySelection.objects.filter(report=report, voice_id=voice_id).delete()
    if not deleted:
        raise ValidationError({"voice": _("This story is not in the report.")})
    _log(by, report, action=AccessLog.Action.UPDATE, purpose="story removed from report")


def flag_keys(ind: indicator.Indicator) -> list[str]:
    """The flags as codes that stay the same when the percentages move ("missing:client")."""
    return sorted({f"{f.code}:{f.group}" if f.group else f.code for f in ind.balance.flags})


def unread_flags(report: StoryReport, ind: indicator.Indicator) -> list[str]:
    """The flags nobody acknowledged yet; the report may leave only when there are none."""
    return [key for key in flag_keys(ind) if key not in (report.acknowledged_flags or [])]


@transaction.atomic
def acknowledge_flags(report: StoryReport, *, by, note) -> StoryReport:
    """Records that `by` read the report's warnings (the ones it has now) and why it may go anyway."""
    _require_visible(by, report)
    report = StoryReport.objects.select_for_update().get(pk=report.pk)
    errors: dict = {}
    note = parse_text(note, "note", errors, required=True)
    check_personal_data(note, "note", capfirst(_("note")), errors, _("Describe the choice, not a person."))
    ind = selection_indicator(report, by)
    if not ind.flagged and not errors:
        errors["note"] = _("This report has no warnings to acknowledge.")
    if errors:
        raise ValidationError(errors)
    report.acknowledged_by, report.acknowledged_at = by, timezone.now()
    report.acknowledged_note, report.acknowledged_flags = note, flag_keys(ind)
    report.save(
        update_fields=["acknowledged_by", "acknowledged_at", "acknowledged_note", "acknowledged_flags"]
    )
    _log(by, report, action=AccessLog.Action.UPDATE, purpose="story report warnings acknowledged")
    return report


class ExportBlocked(PermissionDenied):
    """The report has warnings nobody acknowledged: it may not leave yet."""


def log_export(report: StoryReport, *, by, fmt: str, request=None) -> None:
    _log(by, report, action=AccessLog.Action.EXPORT, purpose=f"story report {fmt}", request=request)
