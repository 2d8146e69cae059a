"""Building one dashboard from a request's query string: the audience, the checked filters and the panels.
The page, its CSV files and the API all start here."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import QueryDict

from . import audience as audiences
from .filters import DEFAULT_TO, FilterForm
from .panels import Context


@dataclass
class Request:
    form: FilterForm
    context: Context | None  # None when the filters are not valid

    @property
    def errors(self) -> dict:
        return {field: [str(e) for e in errs] for field, errs in self.form.errors.items()}


def build(user, query: QueryDict) -> Request:
    """PermissionDenied without a dashboard role; an invalid filter gives a form with errors (no context)."""
    allowed = audiences.levels(user)
    level = query.get("level") or None
    who = audiences.audience(user, level if level in allowed else None)
    form = FilterForm(query, audience=who, levels=allowed)
    if not form.is_valid():
        return Request(form, None)
    return Request(form, Context(who, form.filters(), to=form.cleaned_data.get("to") or DEFAULT_TO))


def raise_for(request: Request) -> Context:
    """The context, or a ValidationError naming each bad filter (for the API's 422)."""
    if request.context is None:
        raise ValidationError(request.errors)
    return request.context
