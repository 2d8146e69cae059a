"""A login through a municipality's provider counts for a while (`renew_seconds`), then it is checked
with the provider again.

mozilla-django-oidc's SessionRefresh does that check only for GET requests (its issue #504): after the
login has expired a POST still goes through, so someone whose account the municipality blocked can keep
changing case files from an open tab. Here a GET re-authenticates silently at the provider (prompt=none,
as the library does), and a POST, PUT, PATCH or DELETE is refused before its view runs, so nothing is
saved: htmx gets an HX-Redirect to the login, a form a Dutch page that says to log in again.

It also sends the logout of such a login (/uitloggen/, Django's LogoutView) to our logout view (the
library's), which ends the session at the provider as well. It runs as process_view, after the CSRF check.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .backends import provider_of
from .views import (
    EXPIRY_SESSION_KEY,
    ProviderLoginView,
    ProviderLogoutView,
    is_oidc_session,
    start_url,
    unreachable_message,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Our own steps of the login and logout are never held up.
EXEMPT_VIEWS = frozenset({"oidc:start", "oidc:callback", "oidc:logout"})


class OIDCSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.logout_view = ProviderLogoutView.as_view()

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_oidc_session(request) or not request.user.is_authenticated:
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name == "logout":
            return self.logout_view(request)
        if name in EXEMPT_VIEWS or request.session.get(EXPIRY_SESSION_KEY, 0) > time.time():
            return None
        provider = provider_of(request)
        if provider is None:
            # The municipality switched its provider off: its logins no longer count.
            auth.logout(request)
            return self.refuse(request, resolve_url(settings.LOGIN_URL))
        if request.method in SAFE_METHODS and not request.headers.get("HX-Request") and not is_api(request):
            view = ProviderLoginView()
            view.setup(request)
            view.prompt_none = True
            try:
                response = view.redirect_for(request, provider)
            except ImproperlyConfigured:
                # The provider does not answer: the login cannot be checked, so it no longer counts.
                auth.logout(request)
                messages.error(request, unreachable_message(provider))
                return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
            request.session["oidc_login_next"] = request.get_full_path()
            return response
        return self.refuse(request, start_url(provider, self.back_to(request)))

    def refuse(self, request, login_url: str):
        message = _("Your login has expired. Log in again; what you were doing has not been saved.")
        if is_api(request):
            return JsonResponse({"detail": message}, status=401)
        context = {"title": _("Login expired"), "message": message, "login_url": login_url}
        if request.headers.get("HX-Request"):
            response = render(request, "oidc/expired.html", context, status=403)
            response["HX-Redirect"] = login_url
            return response
        if request.method in SAFE_METHODS:
            return HttpResponseRedirect(login_url)
        # Nothing lost: a note typed over a quarter of an hour is shown back, to copy before logging in
        # again (the page is the user's own, and not cached: they are still logged in).
        context["kept"] = kept_input(request)
        return render(request, "oidc/expired.html", context, status=403)

    @staticmethod
    def back_to(request) -> str:
        """The page to return to after logging in again: the one the user was on."""
        page = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
        if page and url_has_allowed_host_and_scheme(page, {request.get_host()}, request.is_secure()):
            parts = urlsplit(page)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return request.get_full_path() if request.method in SAFE_METHODS else ""


NOT_KEPT = frozenset({"csrfmiddlewaretoken", "password", "next"})


def kept_input(request) -> list[tuple[str, str]]:
    """What the refused form held: (field name, value) of every field the user filled in."""
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_KEPT
        for value in values
        if value.strip()
    ]


def is_api(request) -> bool:
    return request.path.startswith("/api/")
