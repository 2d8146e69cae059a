"""Reading case files: scoped querysets, the case-list search, and read logging. Shared by views and API."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_reads
from maatwerk.accounts.models import AccessLog, Role, User
from maatwerk.validation import MAX_ID, MAX_PAGE, parse_search

from . import lib
from .models import Agency, Case, FollowUp, Household, LifeDomain, Note, Person, Status

PER_PAGE = 25
READ = AccessLog.Action.READ


def visible_cases(user) -> QuerySet:
    """The cases this user may see: the one query every app starts from for case data."""
    return tenancy.scope(Case.objects.all(), user)


def households_for(user) -> QuerySet:
    return tenancy.scope(Household.objects.all(), user)


def persons_for(user) -> QuerySet:
    return tenancy.scope(Person.objects.all(), user, team_field="household__team", municipality_field=None)


def notes_for(user) -> QuerySet:
    return tenancy.scope(Note.objects.all(), user, team_field="case__team", municipality_field=None)


def followups_for(user) -> QuerySet:
    return tenancy.scope(FollowUp.objects.all(), user, team_field="case__team", municipality_field=None)


def team_workers(user) -> QuerySet:
    """Workers and team leads of the user's teams: the people a case list can be filtered on."""
    return (
        User.objects.filter(
            memberships__team__in=tenancy.team_ids(user), memberships__role__in=[Role.WORKER, Role.TEAM_LEAD]
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def log_read(user, obj, *, household_id: int, municipality_id: int, purpose: str, request=None) -> None:
    from maatwerk.accounts.audit import log_access

    log_access(
        user,
        obj,
        action=READ,
        purpose=purpose,
        household_id=household_id,
        municipality_id=municipality_id,
        request=request,
    )


def log_list_read(user, cases, *, purpose: str, request=None) -> None:
    """One READ row per household shown in a list (names are personal data), in one INSERT."""
    log_reads(user, cases, purpose=purpose, request=request)


@dataclass
class CaseFilter:
    q: str = ""
    status: str = ""
    domain: int | None = None
    agency: int | None = None
    worker: int | None = None
    overdue: bool = False


def clean_filters(filters: CaseFilter) -> CaseFilter:
    """The filters with a stripped search term, or a ValidationError naming each filter that is not valid.

    The web form checks the same through its choices; the API sends its query parameters here.
    """
    errors: dict = {}
    q = parse_search(filters.q, errors)
    if filters.status and filters.status not in Status.values:
        errors["status"] = _("Choose one of the options.")
    if filters.domain is not None and filters.domain not in LifeDomain.values:
        errors["domain"] = _("Choose one of the options.")
    if filters.agency is not None and filters.agency not in Agency.values:
        errors["agency"] = _("Choose one of the options.")
    if filters.worker is not None and not 1 <= filters.worker <= MAX_ID:
        errors["worker"] = _("Choose one of the options.")
    if errors:
        raise ValidationError(errors)
    filters.q = q
    return filters


REFERENCE = re.compile(r"^\s*c?-?0*(\d{1,12})\s*$", re.IGNORECASE)


def search_cases(user, filters: CaseFilter) -> QuerySet:
    """The scoped, filtered case list in its one order (most recent activity first).

    Every filter is a column of Case next to `team`, so the composite indexes in Case.Meta serve it; the
    name search is a prefix range on Household.search_key (an index range scan on both databases, unlike
    LIKE/ILIKE). Callers slice the result; nothing here counts the whole set.
    """
    qs = visible_cases(user)
    if filters.q.strip():
        match = REFERENCE.match(filters.q)
        if match:
            qs = qs.filter(pk=int(match.group(1)))
        else:
            key = filters.q.strip().lower()
            households = households_for(user).filter(search_key__startswith=key)
            if key and ord(key[-1]) < 0x10FFFF:
                # The range lets the (team, search_key) index do the work; startswith keeps it exact.
                upper = key[:-1] + chr(ord(key[-1]) + 1)
                households = households.filter(search_key__gte=key, search_key__lt=upper)
            qs = qs.filter(household_id__in=households.values("pk"))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.worker:
        qs = qs.filter(lead_worker_id=filters.worker)
    if filters.domain:
        qs = involving(qs, "domains", filters.domain)
    if filters.agency:
        qs = involving(qs, "agencies", filters.agency)
    if filters.overdue:
        qs = qs.filter(next_followup_due__lt=timezone.localdate())
    return qs.select_related("household", "lead_worker").order_by("-last_activity_at", "-id")


def involving(qs: QuerySet, field: str, value: int) -> QuerySet:
    """Rows whose bit mask `field` (Case.domains or Case.agencies, or a copy of one) holds `value`."""
    return qs.alias(**{f"{field}_hit": F(field).bitand(lib.bit(value))}).filter(**{f"{field}_hit__gt": 0})


def page_of(qs: QuerySet, page: int, per_page: int = PER_PAGE) -> tuple[list, bool]:
    """One page and whether there is a next one, by fetching one row extra instead of COUNT(*)."""
    page = min(max(page, 1), MAX_PAGE)  # the callers refuse larger pages; the offset must fit 64 bits
    start = (page - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def due_followups(user, *, all_team: bool = False, horizon_days: int = 31) -> QuerySet:
    """Open follow-ups due within `horizon_days` (overdue included): the user's own cases, or the team's.

    Starts from Case.next_followup_due (the earliest open follow-up, indexed with the team), so the
    database does not walk every open follow-up of every team first.
    """
    until = timezone.localdate() + datetime.timedelta(days=horizon_days)
    cases = visible_cases(user).filter(next_followup_due__lte=until)
    if not all_team:
        cases = cases.filter(lead_worker=user)
    return (
        followups_for(user)
        .filter(case__in=cases.values("pk"), done_on__isnull=True, due_on__lte=until)
        .select_related("case", "case__household", "case__lead_worker")
        .order_by("due_on", "id")
    )


def team_summary(team_id: int) -> dict:
    """Counts per status for one team's start page (only called for members of that team)."""
    from django.db.models import Count

    counts = dict(Case.objects.filter(team_id=team_id).values_list("status").annotate(n=Count("id")))
    return {
        "statuses": [(Status(s), counts.get(s, 0)) for s in Status.values],
        "overdue": Case.objects.filter(team_id=team_id, next_followup_due__lt=timezone.localdate()).count(),
    }
