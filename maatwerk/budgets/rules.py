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
"""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Role
from maatwerk.lib.money import format_eur

from .models import Budget, Channel, LegalityCheckRule, Mandate, SpendRequest

TEAM_ROLES = {Role.WORKER, Role.TEAM_LEAD}


def _is_admin(spend: SpendRequest, by) -> bool:
    return spend.municipality_id in tenancy.municipality_ids(by, [Role.ADMIN])


def approval_refusal(spend: SpendRequest, by) -> str | None:
    """Why `by` may not approve this request, or None when their mandate covers it."""
    if spend.requested_by_id == by.pk:
        return _("You cannot approve your own request: four eyes are required.")
    mandates = list(
        Mandate.objects.filter(municipality_id=spend.municipality_id, channel=spend.channel, active=True)
    )
    my_municipalities = {m.municipality_id for m in tenancy.memberships(by)}
    limits = []
    for mandate in mandates:
        if mandate.user_id:
            if mandate.user_id != by.pk or spend.municipality_id not in my_municipalities:
                continue
        else:
            if spend.channel == Channel.BIJZONDERE_BIJSTAND:
                continue  # only a named, mandated civil servant decides on special assistance
            if mandate.role in TEAM_ROLES:
                if spend.team_id not in tenancy.team_ids(by, [mandate.role]):
                    continue
            elif spend.municipality_id not in tenancy.municipality_ids(by, [mandate.role]):
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
