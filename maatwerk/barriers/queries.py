"""Who sees which barriers, and the figures shown about them (counts and sums, never households)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Role
from maatwerk.businesscases.models import BusinessCaseVersion

from .models import OPEN_STATUSES, Barrier, BarrierStatus, BarrierType, CaseLink, Escalation

# Barriers are not personal data: everyone who works in a municipality sees its register.
REGISTER_ROLES = frozenset({Role.WORKER, Role.TEAM_LEAD, Role.LEGAL_CHECKER, Role.POLICY})
# Who may register a barrier, escalate it, record answers and close it (within their municipality).
ACT_ROLES = REGISTER_ROLES
REGISTERING_ROLES = frozenset({Role.WORKER, Role.TEAM_LEAD, Role.LEGAL_CHECKER})
# Who may merge barriers into a structural group: programme nationally, policy within its municipality.
MERGE_ROLES = frozenset({Role.PROGRAMME, Role.POLICY})

PER_PAGE = 25
# Newest first. Said explicitly because Meta.ordering is not applied to queries with GROUP BY, and the
# figures below group; without it pages would overlap or skip barriers.
REGISTER_ORDER = ("-created_at", "-id")
# The status filter of the register: one status, or every status that is not closed.
OPEN_ALL = "open_all"


def is_national(user) -> bool:
    return tenancy.has_role(user, Role.PROGRAMME)


def visible_barriers(user):
    """The municipality's register; for the national programme every municipality (figures only)."""
    qs = Barrier.objects.select_related("municipality", "team", "group")
    if is_national(user):
        return qs
    return tenancy.scope(qs, user, team_field=None, municipality_roles=REGISTER_ROLES)


def filter_status(qs, status: str):
    """The register filtered on `status` (a status, or OPEN_ALL); an empty status filters nothing.
    Raises ValueError for anything else."""
    if not status:
        return qs
    if status == OPEN_ALL:
        return qs.filter(status__in=OPEN_STATUSES)
    if status in BarrierStatus.values:
        return qs.filter(status=status)
    raise ValueError(status)


def known_type(value) -> str:
    """A barrier type from a query string, or "" for none or an unknown one (an old link): the whole
    register."""
    return value if value in BarrierType.values else ""


def filter_type(qs, barrier_type: str):
    """The register filtered on a type from `known_type`; "" filters nothing."""
    return qs.filter(type=barrier_type) if barrier_type else qs


def own_links(user, barrier: Barrier):
    """Linked cases the user may see as cases: only those of the user's own team(s)."""
    return tenancy.scope(
        links_with_cost(CaseLink.objects.filter(barrier=barrier).select_related("case", "case__household")),
        user,
        team_field="case__team",
        municipality_field=None,
    )


def may_see_cases(user) -> bool:
    return bool(tenancy.team_ids(user))


def _latest_net():
    return Subquery(
        BusinessCaseVersion.objects.filter(business_case__case=OuterRef("case"))
        .order_by("-number")
        .values("expected_net")[:1]
    )


def links_with_cost(qs):
    """Links annotated with `cost`: the expected net benefit of the latest business-case version of the
    case, or, when the case has no business case yet, the amount the worker entered on the link."""
    return qs.annotate(bc_net=_latest_net(), cost=Coalesce(_latest_net(), F("cost_at_stake")))


def with_figures(qs):
    """Annotate households hit, linked cases and the cost at stake (sum of the linked cases' figures)."""
    cost = (
        links_with_cost(CaseLink.objects.filter(barrier=OuterRef("pk")))
        .order_by()
        .values("barrier")
        .annotate(total=Sum("cost"))
        .values("total")
    )
    return qs.annotate(
        households_hit=Count("links__case__household", distinct=True),
        cases_linked=Count("links", distinct=True),
        cost_at_stake=Coalesce(Subquery(cost), Value(Decimal("0")), output_field=DecimalField()),
    ).order_by(*REGISTER_ORDER)


class RegisterPaginator(Paginator):
    """Pages of barriers with their figures. Counted on the plain barriers: counting the annotated rows
    would compute the figures of the whole register just to learn how many pages there are."""

    def __init__(self, barriers, per_page: int = PER_PAGE):
        super().__init__(with_figures(barriers), per_page)
        self._barriers = barriers

    @cached_property
    def count(self) -> int:
        return self._barriers.count()


def overdue_escalations(today=None):
    today = today or timezone.localdate()
    return Escalation.objects.filter(
        answered_at__isnull=True, due_date__lt=today, barrier__status__in=OPEN_STATUSES
    ).select_related("barrier", "barrier__municipality", "owner")


def due_escalations(today=None, *, within_days: int = 0):
    """Unanswered escalations of open barriers due on or before today + `within_days`."""
    today = today or timezone.localdate()
    return (
        Escalation.objects.filter(
            answered_at__isnull=True,
            due_date__lte=today + datetime.timedelta(days=within_days),
            barrier__status__in=OPEN_STATUSES,
        )
        .select_related("barrier", "barrier__municipality", "owner")
        .order_by("due_date", "id")
    )


def overdue_for(user, today=None):
    """Overdue escalations on the user's page: the owner's own (escalation or barrier), and for policy
    every overdue escalation in their municipality."""
    qs = overdue_escalations(today)
    condition = Q(owner=user) | Q(barrier__owner=user)
    policy_municipalities = tenancy.municipality_ids(user, {Role.POLICY})
    if policy_municipalities:
        condition |= Q(barrier__municipality__in=policy_municipalities)
    return qs.filter(condition).order_by("due_date", "id")


@dataclass
class GroupRow:
    """One line of the national register: a structural group, or a barrier on its own."""

    key: str
    title: str
    type_label: str
    provision: str
    agencies: str
    barrier_ids: list[int] = field(default_factory=list)
    municipalities: set[str] = field(default_factory=set)
    households_hit: int = 0
    cost_at_stake: Decimal = Decimal("0")
    oldest: object = None
    statuses: dict[str, int] = field(default_factory=dict)
    group_id: int | None = None

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.oldest).days if self.oldest else 0

    @property
    def municipality_list(self) -> str:
        return ", ".join(sorted(self.municipalities))

    @property
    def status_summary(self) -> str:
        return ", ".join(f"{BarrierStatus(s).label}: {n}" for s, n in sorted(self.statuses.items()))


def national_rows(barriers) -> list[GroupRow]:
    """Groups (and ungrouped barriers) with households hit, municipalities, cost at stake, age and status.
    Households are counted distinct per row through the links, never listed."""
    barriers = list(barriers)
    households: dict[str, set[int]] = {}
    rows: dict[str, GroupRow] = {}
    by_id = {b.pk: b for b in barriers}
    for b in barriers:
        key = f"g{b.group_id}" if b.group_id else f"b{b.pk}"
        row = rows.get(key)
        if row is None:
            row = rows[key] = GroupRow(
                key=key,
                title=b.group.title if b.group_id else b.title,
                type_label=str(b.get_type_display()),
                provision=b.legal_provision,
                agencies=b.agency_labels,
                group_id=b.group_id,
            )
            households[key] = set()
        row.barrier_ids.append(b.pk)
        row.municipalities.add(b.municipality.name)
        row.oldest = b.created_at if row.oldest is None else min(row.oldest, b.created_at)
        row.statuses[b.status] = row.statuses.get(b.status, 0) + 1
    links = links_with_cost(CaseLink.objects.filter(barrier__in=by_id)).values_list(
        "barrier_id", "case__household_id", "cost"
    )
    for barrier_id, household_id, cost in links:
        b = by_id[barrier_id]
        key = f"g{b.group_id}" if b.group_id else f"b{b.pk}"
        households[key].add(household_id)
        rows[key].cost_at_stake += cost or Decimal("0")
    for key, row in rows.items():
        row.households_hit = len(households[key])
    return sorted(rows.values(), key=lambda r: (-r.households_hit, -len(r.municipalities), r.title))
