"""The one NinjaAPI instance; each app adds a router in `maatwerk/api/urls.py`."""

import json
import re

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from .auth import AUTH
from .docs import docs_login


class StrictJSONParser(Parser):
    """JSON bodies in UTF-8 only, without lone surrogates or NUL characters.

    `json.loads` on bytes also guesses UTF-16 and UTF-32, and it accepts "\\ud800" and "\\u0000": no
    database stores the first, PostgreSQL refuses the second in text, and either save would answer 500.
    Raising here lands in django-ninja's "Cannot parse request body", which `http_error` below answers
    with a Dutch 400, for every endpoint at once.
    """

    def parse_body(self, request):
        return parse_json(request.body)


def parse_json(body: bytes):
    """A request body as JSON (UTF-8, no lone surrogates or NUL); ValueError otherwise. For endpoints that
    read the body themselves."""
    data = json.loads(body.decode("utf-8-sig"))
    _refuse_unstorable(data)
    return data


def _refuse_unstorable(value) -> None:
    # Iterative, so a deeply nested body cannot exhaust the stack here (json.loads already bounds nesting).
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _NOT_STORABLE.search(item):
                raise ValueError("lone surrogate or NUL in JSON text")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


_NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")

api = NinjaAPI(
    parser=StrictJSONParser(),
    title="Maatwerk API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=docs_login,  # production: login needed
    description="Case files, cost overview, business cases, budgets and barriers for neighbourhood teams. "
    "Same permissions as the web interface: objects outside your teams answer 404.",
)


# pydantic's own messages are English ("Input should be a valid integer"). The API answers in the user's
# language like the rest of Maatwerk, so the common error types get a message of our own; the context
# pydantic gives (a maximum length, the allowed values) fills the placeholders.
_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter text."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number, e.g. 12.50."),
    "decimal_parsing": gettext_lazy("Enter a number, e.g. 12.50."),
    "decimal_max_places": gettext_lazy("Use at most %(decimal_places)s decimals."),
    "decimal_max_digits": gettext_lazy("Use at most %(max_digits)s digits."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "datetime_type": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM."),
    "datetime_parsing": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM."),
    "string_too_long": gettext_lazy("Use at most %(max_length)s characters."),
    "string_too_short": gettext_lazy("Use at least %(min_length)s characters."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "greater_than": gettext_lazy("Must be greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Must be %(ge)s or more."),
    "less_than": gettext_lazy("Must be less than %(lt)s."),
    "less_than_equal": gettext_lazy("Must be %(le)s or less."),
    "literal_error": gettext_lazy("Choose one of the allowed values: %(expected)s."),
    "enum": gettext_lazy("Choose one of the allowed values: %(expected)s."),
    "list_type": gettext_lazy("Give a list."),
    "dict_type": gettext_lazy("Give an object."),
    "model_type": gettext_lazy("Give an object."),
    "model_attributes_type": gettext_lazy("Give an object."),
    "extra_forbidden": gettext_lazy("Unknown field."),
    "uuid_type": gettext_lazy("Enter a valid identifier (UUID)."),
    "uuid_parsing": gettext_lazy("Enter a valid identifier (UUID)."),
    "string_pattern_mismatch": gettext_lazy("The format is not valid."),
}


def error_message(err: dict) -> str:
    """One pydantic error as a sentence in the active language."""
    kind = err.get("type", "")
    if kind in ("value_error", "assertion_error"):
        # Our own validators raise these with a message that is already translated.
        error = (err.get("ctx") or {}).get("error")
        if error:
            return str(error)
    template = _MESSAGES.get(kind)
    if template is None:
        return _("This value is not valid.")
    try:
        return str(template) % {key: str(value) for key, value in (err.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):  # a context without the expected key
        return _("This value is not valid.")


def field_errors_from_ninja(errors: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        out.setdefault(".".join(loc) or "__all__", []).append(error_message(err))
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


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc: PermissionDenied):
    # Services raise this for "you may not" (role, mandate, four eyes) with a Dutch sentence; the one
    # mapping for every router, so no endpoint needs its own try/except.
    detail = str(exc) or _("Your role does not give access to this.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # django-ninja raises this in English for a body that is not JSON; our own HttpErrors are translated.
    detail = str(exc)
    # With DEBUG on it appends the parser's own words in brackets: "Cannot parse request body (...)".
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(request, {"detail": _("Log in or send a valid API token.")}, status=401)


# --- the error answers in the document -----------------------------------------------------------------


class Error(Schema):
    """An error: a sentence saying what went wrong and, for invalid input, the messages per field."""

    detail: str
    errors: dict[str, list[str]] | None = None


def _json_body(op) -> dict | None:
    """The JSON schema of the operation's body, or None when it takes none."""
    bodies = [m for m in op.models if m.__ninja_param_source__ == "body"]
    if bodies:
        return bodies[0].model_json_schema()
    extra = (op.openapi_extra or {}).get("requestBody")
    return extra and extra.get("content", {}).get("application/json", {}).get("schema", {})


def declare_error_responses(api: NinjaAPI) -> None:
    """Add to every operation's responses the errors the handlers above give it, so clients (and
    schemathesis) know them: 401 always (every operation needs a login or a token), 422 when it takes
    parameters or a body, 400 when it takes a body (not JSON), 404 when it has path parameters or its body
    names other objects (`case_id`, `barrier_ids`, `item_code`), 403 when it changes something (services
    refuse with PermissionDenied). An operation that declares a code itself keeps its own; a read that
    checks a role declares its 403 in its decorator. Call once, after every router is added."""
    # The bound routers hold the operations that both the URLs and the document use (ninja copies the
    # routers' operations into them once, when the URLs are first built).
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                sources = {m.__ninja_param_source__ for m in op.models}
                body = _json_body(op)
                codes = {401}
                if sources or body is not None:
                    codes.add(422)
                if body is not None:
                    codes.add(400)
                names_objects = body is not None and any(
                    key in json.dumps(body) for key in ('_id"', '_ids"', '"item_code"')
                )
                if "path" in sources or names_objects:
                    codes.add(404)
                if set(op.methods) - {"GET", "HEAD"}:
                    codes.add(403)
                error = op._create_response_model(Error)
                for code in sorted(codes - set(op.response_models)):
                    op.response_models[code] = error
