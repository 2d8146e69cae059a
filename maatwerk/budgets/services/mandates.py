"""The mandate ladder and the legality-check thresholds, kept by the municipality's administrator.

Every change writes an AccessLog row with what changed (old and new values: amounts, roles and the id of a
named person, no household data). A rung is switched off rather than deleted: requests routed to it keep
pointing at it, and `rules.route_of` sends them on to the next rung that has someone to approve them.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Membership, Municipality, Role
from maatwerk.validation import parse_choice, parse_money, parse_text

from .. import rules
from ..models import Channel, LegalityCheckRule, Mandate

# The roles a rung may name: the team's workers and team leads, or a municipal role whose holders decide.
RUNG_ROLES = (Role.WORKER, Role.TEAM_LEAD, Role.LEGAL_CHECKER, Role.POLICY)
FIELDS = ("channel", "role", "user_id", "title", "max_amount", "active")


def _refuse_unless_admin(by, municipality: Municipality) -> None:
    if not rules.is_admin_of(municipality.pk, by):
        raise PermissionDenied(_("Only an administrator of this municipality may change the mandates."))


def _snapshot(mandate: Mandate) -> dict:
    return {
        f: (str(getattr(mandate, f)) if isinstance(getattr(mandate, f), Decimal) else getattr(mandate, f))
        for f in FIELDS
    }


def save_mandate(
    *,
    by,
    municipality: Municipality,
    mandate: Mandate | None = None,
    channel: str,
    role: str = "",
    user_id=None,
    title: str = "",
    max_amount=None,
    active: bool = True,
) -> Mandate:
    """Add a rung (`mandate` None) or change one. A rung names a role or one person, not both.

    `max_amount` empty means no upper limit. The person must be a member of the municipality.
    """
    _refuse_unless_admin(by, municipality)
    if mandate is not None and mandate.municipality_id != municipality.pk:
        raise PermissionDenied(_("This mandate belongs to another municipality."))
    errors: dict = {}
    channel = parse_choice(channel, Channel, "channel", errors)
    role = parse_choice(role, Role, "role", errors, required=False) or ""
    title = parse_text(title, "title", errors, max_length=100)
    if max_amount in (None, ""):
        max_amount = None
    else:
        max_amount = parse_money(max_amount, "max_amount", errors)
    person = None
    if user_id not in (None, ""):
        membership = (
            Membership.objects.filter(municipality=municipality, user_id=user_id, user__is_active=True)
            .select_related("user")
            .first()
            if str(user_id).isdigit()
            else None
        )
        if membership is None:
            errors["user"] = _("Choose a person who works for this municipality.")
        else:
            person = membership.user
    if "role" not in errors and "user" not in errors:
        if role and person is not None:
            errors["user"] = _("A rung names a role or a person, not both.")
        elif not role and person is None:
            errors["role"] = _("Choose a role, or a person below.")
        elif role and role not in RUNG_ROLES:
            errors["role"] = _("Choose the social workers, the team leads or a municipal role that decides.")
    if "channel" not in errors and channel == Channel.BIJZONDERE_BIJSTAND and role and person is None:
        errors["role"] = _(
            "Special assistance is granted by a named, mandated civil servant: choose a person."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = _snapshot(mandate) if mandate is not None else {}
        if mandate is None:
            mandate = Mandate(municipality=municipality)
        else:
            mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        mandate.channel, mandate.role, mandate.user = channel, role, person
        mandate.title, mandate.max_amount, mandate.active = title, max_amount, bool(active)
        created = mandate.pk is None
        mandate.save()
        after = _snapshot(mandate)
        changes = {f: [before.get(f), after[f]] for f in FIELDS if before.get(f) != after[f]}
        log_access(
            by,
            mandate,
            action=AccessLog.Action.CREATE if created else AccessLog.Action.UPDATE,
            purpose="add mandate" if created else "change mandate",
            municipality_id=municipality.pk,
            changes=changes,
        )
    return mandate


def set_check_threshold(*, by, municipality: Municipality, channel: str, above_amount) -> LegalityCheckRule:
    """Above which amount a request of this channel needs a legality check."""
    _refuse_unless_admin(by, municipality)
    errors: dict = {}
    channel = parse_choice(channel, Channel, "channel", errors)
    amount = parse_money(above_amount, "above_amount", errors)
    if above_amount in (None, "") and "above_amount" not in errors:
        errors["above_amount"] = _("Enter an amount, e.g. 2.500,00.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule, created = LegalityCheckRule.objects.select_for_update().get_or_create(
            municipality=municipality, channel=channel, defaults={"above_amount": amount}
        )
        before = None if created else str(rule.above_amount)
        if not created:
            rule.above_amount = amount
            rule.save(update_fields=["above_amount"])
        log_access(
            by,
            rule,
            action=AccessLog.Action.CREATE if created else AccessLog.Action.UPDATE,
            purpose="set legality check threshold",
            municipality_id=municipality.pk,
            changes={"above_amount": [before, str(amount)]},
        )
    return rule
