"""Small parsing helpers shared by service functions that collect Dutch errors per field."""

import datetime

from django.utils.translation import gettext as _


def parse_date(value, field: str, errors: dict, *, required: bool = True) -> datetime.date | None:
    """A date from a date or an ISO string; on failure the error is added under `field` and None returned."""
    if value in (None, ""):
        if required:
            errors[field] = _("This field is required.")
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Enter a valid date.")
        return None
