"""The one NinjaAPI instance; each app adds a router in `maatwerk/api/urls.py`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from .auth import AUTH

api = NinjaAPI(
    title="Maatwerk API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    openapi_url="/openapi.json",
    docs_url="/docs",
    description="Case files, cost overview, business cases, budgets and barriers for neighbourhood teams. "
    "Same permissions as the web interface: objects outside your teams answer 404.",
)


def field_errors_from_ninja(errors: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        out.setdefault(".".join(loc) or "__all__", []).append(err.get("msg", _("Invalid value.")))
    return out


@api.exception_handler(NinjaValidationError)
def ninja_validation_error(request, exc: NinjaValidationError):
    return api.create_response(
        request,
        {"detail": _("The input is not valid."), "errors": field_errors_from_ninja(exc.errors)},
        status=422,
    )


@api.exception_handler(DjangoValidationError)
def django_validation_error(request, exc: DjangoValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(
        request, {"detail": _("The input is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found, or not visible for you.")}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(request, {"detail": _("Log in or send a valid API token.")}, status=401)
