"""Households and their persons: created at intake, a person added or corrected (with history)."""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from maatwerk.accounts.audit import SECRET_NEW, SECRET_OLD, log_access
from maatwerk.accounts.models import Team
from maatwerk.validation import (
    MAX_PERSONS,
    column_length,
    parse_text,
)

from ..models import (
    Household,
    Person,
    PersonRevision,
)
from .common import CREATE, UPDATE, log, person_fields, raise_errors, require_team


@transaction.atomic
def create_household(*, by, team: Team, name: str, persons: Iterable[Mapping] = ()) -> Household:
    require_team(by, team.pk)
    errors: dict = {}
    name = parse_text(name, "name", errors, required=True, max_length=column_length(Household, "name"))
    persons = list(persons)
    cleaned = []
    if len(persons) > MAX_PERSONS:
        errors["persons"] = _("A household has at most %(n)d persons.") % {"n": MAX_PERSONS}
    else:
        cleaned = [person_fields(p, errors) for p in persons]
    raise_errors(errors)
    household = Household.objects.create(
        municipality_id=team.municipality_id, team=team, name=name, search_key=name.lower()
    )
    for fields in cleaned:
        Person.objects.create(household=household, **fields)
    log(
        by,
        household,
        action=CREATE,
        purpose="create household",
        household_id=household.pk,
        municipality_id=household.municipality_id,
    )
    return household


@transaction.atomic
def add_person(household: Household, *, by, **data) -> Person:
    require_team(by, household.team_id)
    # Lock the household, so two additions at once cannot both pass the count.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    errors: dict = {}
    fields = person_fields(data, errors)
    if household.persons.count() >= MAX_PERSONS:
        errors["__all__"] = _("A household has at most %(n)d persons.") % {"n": MAX_PERSONS}
    raise_errors(errors)
    person = Person.objects.create(household=household, **fields)
    log(
        by,
        person,
        action=CREATE,
        purpose="add person",
        household_id=household.pk,
        municipality_id=household.municipality_id,
    )
    return person


PERSON_FIELDS = ("first_name", "last_name", "bsn", "birth_year", "role")


def _audit_change(field: str, old, new) -> list:
    """[old, new] as the audit log keeps it: a BSN only as markers (administrators read the log)."""
    if field == "bsn":
        return [SECRET_OLD if old else "", SECRET_NEW if new else ""]
    return [old, new]


@transaction.atomic
def correct_person(person: Person, *, by, reason: str, **data) -> PersonRevision:
    """Correct a person's data (all of `PERSON_FIELDS` as on the intake); the earlier values are kept in
    an append-only PersonRevision, and the change is in the audit log (the BSN only as a marker)."""
    household = person.household
    require_team(by, household.team_id)
    # Lock the person, so two corrections at once each see what the other saved.
    person = Person.objects.select_for_update().get(pk=person.pk)
    errors: dict = {}
    fields = person_fields(data, errors)
    reason = parse_text(reason, "reason", errors, required=True)
    raise_errors(errors)
    changed = {f: (str(v) if f == "role" else v) for f, v in fields.items() if getattr(person, f) != v}
    raise_errors({} if changed else {"__all__": _("Nothing was changed.")})
    before = {f: getattr(person, f) for f in changed}
    for name, value in changed.items():
        setattr(person, name, value)
    person.save(update_fields=list(changed))
    revision = PersonRevision.objects.create(
        person=person, before=before, after=changed, reason=reason, changed_by=by
    )
    log_access(
        by,
        person,
        action=UPDATE,
        purpose="correct person",
        household_id=household.pk,
        municipality_id=household.municipality_id,
        changes={f: _audit_change(f, before[f], v) for f, v in changed.items()},
    )
    return revision
