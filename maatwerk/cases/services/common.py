"""Helpers the case services share: the team check, the audit row, the case's last change, errors."""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog
from maatwerk.validation import (
    EARLIEST_BIRTH_YEAR,
    column_length,
    parse_bsn,
    parse_choice,
    parse_int,
    parse_text,
)

from ..models import (
    Case,
    Person,
)

CREATE = AccessLog.Action.CREATE
UPDATE = AccessLog.Action.UPDATE
MAX_HOURS = Decimal(24)


def require_team(by, team_id: int) -> None:
    if team_id not in tenancy.team_ids(by):
        raise PermissionDenied(_("Only workers and team leads of the case's team may change it."))


def log(by, obj, *, action, purpose: str, household_id: int, municipality_id: int) -> None:
    log_access(
        by, obj, action=action, purpose=purpose, household_id=household_id, municipality_id=municipality_id
    )


def log_case(by, case: Case, obj, *, action, purpose: str) -> None:
    log(
        by,
        obj,
        action=action,
        purpose=purpose,
        household_id=case.household_id,
        municipality_id=case.municipality_id,
    )


def touch(case: Case) -> None:
    case.last_activity_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(last_activity_at=case.last_activity_at)


def raise_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def person_fields(data: Mapping, errors: dict, prefix: str = "") -> dict:
    this_year = timezone.localdate().year
    return {
        "first_name": parse_text(
            data.get("first_name"),
            f"{prefix}first_name",
            errors,
            required=True,
            max_length=column_length(Person, "first_name"),
        ),
        "last_name": parse_text(
            data.get("last_name"),
            f"{prefix}last_name",
            errors,
            required=True,
            max_length=column_length(Person, "last_name"),
        ),
        "bsn": parse_bsn(data.get("bsn"), errors, f"{prefix}bsn"),
        "birth_year": parse_int(
            data.get("birth_year"),
            f"{prefix}birth_year",
            errors,
            EARLIEST_BIRTH_YEAR,
            this_year,
            required=False,
        ),
        "role": parse_choice(data.get("role"), Person.HouseholdRole, f"{prefix}role", errors),
    }
