"""Who may do what with a spend request: the one home of the mandate and the separation of duties.

Each function answers why `by` may not act on `spend` (a Dutch sentence) or None when they may. The
services call them and raise PermissionDenied with the sentence; the pages call the same functions to
decide which forms to show, so a page never offers what the service will refuse.

The duties are kept apart so that no one person can move money alone:

- the requester never approves, rejects, checks, exports or pays their own request (four eyes);
- the person who approved a request does not also export it for payment or mark it paid;
- payment is for the financial administrator (role admin of the municipality), in a batch or one by one.

A legality checker may also approve or pay (when they hold the mandate or the role): the check is a
control of the request, made before anyone decides on it, and the approver is checked by the payer.

The state of the request (requested, approved, in an open batch) is not a rule of who: the services check
it and answer a ValidationError.

The mandates of a municipality form a ladder per channel (`ladder`): a request is routed (`route`) to the
lowest rung whose mandate covers the amount and that has someone other than the requester to approve it,
and waits in that rung's queue. Anyone whose mandate covers the amount may still approve it (a higher rung
can step in); an amount that no rung covers is refused when it is requested.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Membership, Role, User
from maatwerk.lib.money import format_eur

from .models import Budget, Channel, LegalityCheckRule, Mandate, SpendRequest, SpendStatus, Verdict

TEAM_ROLES = {Role.WORKER, Role.TEAM_LEAD}


def is_admin_of(municipality_id: int, by) -> bool:
    """Whether `by` is a (functional) administrator of the municipality: budgets, allocations, mandates,
    payments and payment batches are theirs."""
    return municipality_id in tenancy.municipality_ids(by, [Role.ADMIN])


def _is_admin(spend: SpendRequest, by) -> bool:
    return is_admin_of(spend.municipality_id, by)


# --- the ladder -----------------------------------------------------------------------------------------


def ladder(municipality_id: int, channel: str) -> list[Mandate]:
    """The active rungs for this channel, lowest first (an unlimited rung last).

    Special assistance counts only the rungs that name a person (see `approval_refusal`).
    """
    mandates = Mandate.objects.filter(municipality_id=municipality_id, channel=channel, active=True)
    return rungs_of(mandates.select_related("user"), channel)


def rungs_of(mandates, channel: str) -> list[Mandate]:
    """Of these mandates, the rungs of the channel's ladder, lowest first (an unlimited rung last): active,
    of that channel, and for special assistance only those that name a person."""
    rungs = [
        m
        for m in mandates
        if m.active and m.channel == channel and (m.user_id or channel != Channel.BIJZONDERE_BIJSTAND)
    ]
    return sorted(rungs, key=lambda m: (m.max_amount is None, m.max_amount or 0, m.pk))


def holders(mandate: Mandate, *, team_id: int | None) -> list[User]:
    """Who holds this rung for a request of `team_id`: the named person (while a member of the
    municipality), or the active holders of the role in the team (team roles) or the municipality."""
    members = Membership.objects.filter(municipality_id=mandate.municipality_id, user__is_active=True)
    if mandate.user_id:
        members = members.filter(user_id=mandate.user_id)
    elif mandate.role in TEAM_ROLES:
        members = members.filter(role=mandate.role, team_id=team_id)
    else:
        members = members.filter(role=mandate.role)
    users = {m.user_id: m.user for m in members.select_related("user").order_by("user__last_name", "pk")}
    return list(users.values())


def covers(mandate: Mandate, amount: Decimal) -> bool:
    return mandate.max_amount is None or amount <= mandate.max_amount


@dataclass
class Route:
    """Where a request of this amount goes: the rung and its people, or why it goes nowhere."""

    mandate: Mandate | None
    approvers: list[User] = field(default_factory=list)
    needs_check: bool = False
    refusal: str | None = None

    @property
    def approver_text(self) -> str:
        """ "Teamleider (Sanne de Vries)": the rung and the names of who may approve from it."""
        if self.mandate is None:
            return ""
        names = ", ".join(u.get_full_name() or u.username for u in self.approvers)
        if self.mandate.user_id and self.mandate.label == names:
            return names
        return f"{self.mandate.label} ({names})" if names else self.mandate.label


def route(*, municipality_id: int, team_id: int, channel: str, amount: Decimal, requested_by) -> Route:
    """The lowest rung that covers `amount` and has an approver other than the requester."""
    check = needs_legality_check(municipality_id, channel, amount)
    rungs = ladder(municipality_id, channel)
    if not rungs:
        return Route(None, needs_check=check, refusal=_("No one holds a mandate for this channel yet."))
    covering = [m for m in rungs if covers(m, amount)]
    if not covering:
        top = rungs[-1]
        return Route(
            None,
            needs_check=check,
            refusal=_("This amount is above every mandate: the highest is %(limit)s (%(rung)s).")
            % {"limit": format_eur(top.max_amount), "rung": top.label},
        )
    for mandate in covering:
        approvers = [
            u for u in holders(mandate, team_id=team_id) if u.pk != getattr(requested_by, "pk", None)
        ]
        if approvers:
            return Route(mandate, approvers, needs_check=check)
    return Route(
        None,
        needs_check=check,
        refusal=_(
            "No one but you holds a mandate for this amount, and you cannot approve your own request. "
            "Ask an administrator to fill the mandate ladder."
        ),
    )


def route_of(spend: SpendRequest) -> Route:
    """The route of an existing request: the rung it was sent to (while active), else routed anew."""
    mandate = spend.approver_mandate
    if mandate is not None and mandate.active:
        approvers = [u for u in holders(mandate, team_id=spend.team_id) if u.pk != spend.requested_by_id]
        if approvers:
            return Route(mandate, approvers, needs_check=spend.needs_legality_check)
    return route(
        municipality_id=spend.municipality_id,
        team_id=spend.team_id,
        channel=spend.channel,
        amount=spend.amount,
        requested_by=spend.requested_by,
    )


def holds(mandate: Mandate, user, *, team_id: int | None) -> bool:
    """Whether `user` holds this rung for a request of `team_id` (cheap: from the cached memberships)."""
    if mandate.user_id:
        return mandate.user_id == user.pk and mandate.municipality_id in {
            m.municipality_id for m in tenancy.memberships(user)
        }
    if mandate.role in TEAM_ROLES:
        return team_id in tenancy.team_ids(user, [mandate.role])
    return mandate.municipality_id in tenancy.municipality_ids(user, [mandate.role])


# --- who may do what -----------------------------------------------------------------------------------


def approval_refusal(spend: SpendRequest, by) -> str | None:
    """Why `by` may not approve this request, or None when their mandate covers it."""
    if spend.requested_by_id == by.pk:
        return _("You cannot approve your own request: four eyes are required.")
    # The usual case, without a query: `by` holds the rung the request was routed to, and it covers it.
    routed = spend.approver_mandate if spend.approver_mandate_id else None
    if (
        routed is not None
        and routed.active
        and covers(routed, spend.amount)
        and (routed.user_id or spend.channel != Channel.BIJZONDERE_BIJSTAND)
        and holds(routed, by, team_id=spend.team_id)
    ):
        return None
    mandates = Mandate.objects.filter(
        municipality_id=spend.municipality_id, channel=spend.channel, active=True
    ).only("user_id", "role", "municipality_id", "max_amount")
    limits = []
    for mandate in mandates:
        if spend.channel == Channel.BIJZONDERE_BIJSTAND and not mandate.user_id:
            continue  # only a named, mandated civil servant decides on special assistance
        if not holds(mandate, by, team_id=spend.team_id):
            continue
        if mandate.max_amount is None or spend.amount <= mandate.max_amount:
            return None
        limits.append(mandate.max_amount)
    if limits:
        return _("The amount is above your mandate (you may approve up to %(limit)s).") % {
            "limit": format_eur(max(limits))
        }
    if spend.channel == Channel.BIJZONDERE_BIJSTAND:
        return _(
            "Special assistance can only be granted by a mandated civil servant; you hold no such mandate."
        )
    return _("You hold no mandate to approve this request.")


def rejection_refusal(spend: SpendRequest, by) -> str | None:
    """Why `by` may not reject this request, or None.

    Refusing needs less than granting: the team lead of the team, a legality checker of the municipality
    and anyone mandated for the channel (also below the amount) may reject.
    """
    if spend.requested_by_id == by.pk:
        return _("You cannot decide on your own request: four eyes are required.")
    if spend.team_id in tenancy.team_ids(by, [Role.TEAM_LEAD]):
        return None
    if spend.municipality_id in tenancy.municipality_ids(by, [Role.LEGAL_CHECKER]):
        return None
    if Mandate.objects.filter(
        municipality_id=spend.municipality_id, channel=spend.channel, user=by, active=True
    ).exists():
        return None
    if approval_refusal(spend, by) is None:
        return None
    return _("You hold no mandate to decide on this request.")


def check_refusal(spend: SpendRequest, by) -> str | None:
    """Why `by` may not record a legality check on this request, or None."""
    if spend.municipality_id not in tenancy.municipality_ids(by, [Role.LEGAL_CHECKER]):
        return _("Only a legality checker of this municipality may record a check.")
    if spend.requested_by_id == by.pk:
        return _("You cannot check your own request.")
    return None


def _money_out_refusal(spend: SpendRequest, by) -> str | None:
    """The duties shared by exporting and paying: not the requester, not the approver."""
    if spend.requested_by_id == by.pk:
        return _("You cannot pay out your own request: four eyes are required.")
    if spend.decided_by_id == by.pk:
        return _(
            "You approved this request, so someone else pays it out: approving and paying are "
            "separate duties."
        )
    return None


def payment_refusal(spend: SpendRequest, by) -> str | None:
    """Why `by` may not mark this request paid (alone or in a batch), or None."""
    if not _is_admin(spend, by):
        return _("Only an administrator of this municipality may mark a request paid.")
    return _money_out_refusal(spend, by)


def export_refusal(spend: SpendRequest, by) -> str | None:
    """Why `by` may not put this request in a payment batch, or None."""
    if not _is_admin(spend, by):
        return _("Only an administrator of this municipality may export payments.")
    return _money_out_refusal(spend, by)


def cancel_refusal(spend: SpendRequest, by) -> str | None:
    """Why `by` may not cancel this request, or None."""
    if (
        spend.requested_by_id == by.pk
        or spend.team_id in tenancy.team_ids(by, [Role.TEAM_LEAD])
        or _is_admin(spend, by)
    ):
        return None
    return _("Only the requester, a team lead or an administrator may cancel.")


# --- which budget, and whether a check is needed ---------------------------------------------------


def budget_for(case, channel: str, on: datetime.date | None = None) -> Budget | None:
    """The team's budget for this channel and date, else the municipality's."""
    on = on or timezone.localdate()
    current = Budget.objects.filter(
        municipality_id=case.municipality_id, channel=channel, period_start__lte=on, period_end__gte=on
    )
    return current.filter(team_id=case.team_id).first() or current.filter(team__isnull=True).first()


def needs_legality_check(municipality_id: int, channel: str, amount: Decimal) -> bool:
    rule = LegalityCheckRule.objects.filter(municipality_id=municipality_id, channel=channel).first()
    return rule is not None and amount > rule.above_amount


# --- the legality check -------------------------------------------------------------------------------


def check_verdict(spend: SpendRequest) -> str | None:
    """The verdict of the request's latest legality check (a later check supersedes an earlier one), or
    None when none was recorded. Reads `spend.legality_checks.all()`, so a list can prefetch them."""
    checks = list(spend.legality_checks.all())
    return max(checks, key=lambda c: (c.checked_at, c.pk)).verdict if checks else None


def check_done(spend: SpendRequest) -> bool:
    """No legality check needed, or the latest one found the request lawful: it may be decided on."""
    return not spend.needs_legality_check or check_verdict(spend) == Verdict.LAWFUL


# --- who acts next -------------------------------------------------------------------------------------


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else ""


def next_step(spend: SpendRequest) -> str:
    """Who acts next on this request, as a sentence for the case and spend pages.

    A requested one names the rung of the mandate ladder and its people. Reads the spend's legality
    checks through `.all()`, so a list can prefetch them.
    """
    if spend.status == SpendStatus.DRAFT:
        return _("Draft: not requested yet.")
    if spend.status == SpendStatus.REQUESTED:
        way = route_of(spend)
        if way.refusal:
            return way.refusal
        who = {"who": way.approver_text}
        if spend.needs_legality_check:
            verdict = check_verdict(spend)
            if verdict is None:
                return _("Waiting for the legality check, then for approval by %(who)s.") % who
            if verdict != Verdict.LAWFUL:
                return _(
                    "The legality check found this request not lawful: it waits to be rejected or cancelled."
                )
        return _("Waiting for approval by %(who)s.") % who
    if spend.status == SpendStatus.APPROVED:
        return _("Approved; waiting for payment by the financial administration.")
    if spend.status == SpendStatus.PAID:
        return _("Paid on %(date)s.") % {"date": _day(spend.paid_at)}
    if spend.status == SpendStatus.REJECTED:
        return _("Rejected on %(date)s.") % {"date": _day(spend.decided_at)}
    return _("Cancelled: nothing left to do.")
