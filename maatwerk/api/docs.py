"""Who may read the API's OpenAPI document and its docs page (`NinjaAPI(docs_decorator=...)`)."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja.openapi.views import openapi_view

from .auth import TokenAuth


def _logged_in(request) -> bool:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return True
    # An API client reads the document with its token, like any other operation.
    return TokenAuth()(request) is not None


def docs_login(view):
    """In production the document and the docs page need a login: a session or an API token.

    The document maps every operation and its parameters: useful to an attacker probing a live system,
    and nobody outside the municipalities needs it there. In development it stays open: it describes
    the code on the developer's own machine, holds no data, and the schema tests (schemathesis) read
    it without logging in. Checked per request (not when the URLs are built), so that tests can switch
    settings.PRODUCTION.
    """
    is_page = getattr(view, "func", None) is openapi_view

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.PRODUCTION and not _logged_in(request):
            if is_page:
                return redirect_to_login(request.get_full_path())
            return JsonResponse({"detail": _("Log in or send a valid API token.")}, status=401)
        return view(request, *args, **kwargs)

    return wrapper
