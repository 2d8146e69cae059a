"""/oidc/: start a login at the municipality's identity provider, come back, log out at both ends."""

import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import View
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from . import services
from .backends import BACKEND_PATH, ID_TOKEN_SESSION_KEY, NO_ROLE_ATTRIBUTE, PROVIDER_SESSION_KEY, provider_of
from .models import IdentityProvider

# Where the library keeps the moment the login must be checked with the provider again.
EXPIRY_SESSION_KEY = "oidc_id_token_expiration"


def start_url(provider: IdentityProvider, next_url: str = "") -> str:
    query = {"gemeente": provider.municipality.code}
    if next_url:
        query["next"] = next_url
    return reverse("oidc:start") + "?" + urlencode(query)


class ProviderLoginView(OIDCAuthenticationRequestView):
    """/oidc/inloggen/?gemeente=<CBS code>: on to that municipality's provider (code flow, nonce, PKCE)."""

    prompt_none = False  # the session middleware's silent re-authentication

    def __init__(self, **kwargs):
        # The library's __init__ reads one provider from the settings; here it is chosen per request.
        View.__init__(self, **kwargs)
        self.provider = None

    def get_settings(self, attr, *args):
        if attr == "OIDC_RP_SCOPES" and self.provider is not None:
            return self.provider.scopes
        return import_from_settings(attr, *args)

    def get(self, request):
        provider = (
            IdentityProvider.objects.select_related("municipality")
            .filter(enabled=True, municipality__code=request.GET.get("gemeente", ""))
            .first()
        )
        if provider is None:
            raise Http404(_("This municipality does not log in through its own identity provider."))
        try:
            return self.redirect_for(request, provider)
        except ImproperlyConfigured:
            messages.error(request, unreachable_message(provider))
            return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))

    def redirect_for(self, request, provider: IdentityProvider):
        self.provider = provider
        self.OIDC_OP_AUTH_ENDPOINT = services.endpoints(provider)["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        request.session[PROVIDER_SESSION_KEY] = provider.pk
        return super().get(request)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        if self.prompt_none:
            params["prompt"] = "none"
        return params


def unreachable_message(provider: IdentityProvider) -> str:
    return _("Logging in through %(municipality)s is not possible right now. Try again later.") % {
        "municipality": provider.municipality
    }


# The provider's answers to prompt=none when it cannot log the user in without asking them.
INTERACTION_NEEDED = frozenset(
    {"login_required", "interaction_required", "consent_required", "account_selection_required"}
)


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """/oidc/terug/: the provider sends the user back here with a code."""

    @property
    def failure_url(self):
        return resolve_url(settings.LOGIN_URL)

    def get(self, request):
        if request.GET.get("state") not in (request.session.get("oidc_states") or {}):
            # No login of this browser is under way (a stale or forged link): change nothing, not even
            # log out, which the library would do for a link with an error.
            return HttpResponseRedirect(self.failure_url)
        if request.GET.get("error") in INTERACTION_NEEDED:
            # The silent re-authentication (prompt=none) found no session at the provider: the library
            # logs the user out; then the user logs in there again and comes back to the same page.
            provider = provider_of(request)
            if provider is not None:
                self.login_again_url = start_url(provider, request.session.get("oidc_login_next") or "")
        try:
            return super().get(request)
        except (ImproperlyConfigured, requests.RequestException):
            # The provider did not answer, or answered the token request with an error.
            provider = provider_of(request)
            if provider is not None:
                self.failure_message = unreachable_message(provider)
            return self.login_failure()

    def login_failure(self):
        request = self.request
        if request.user.is_authenticated:
            # A re-authentication that failed (the groups no longer give a role): the old login ends too.
            auth.logout(request)
        if getattr(self, "login_again_url", None):
            return HttpResponseRedirect(self.login_again_url)
        provider = getattr(request, NO_ROLE_ATTRIBUTE, None)
        if provider is not None:
            context = {"title": _("No role in Maatwerk yet"), "municipality": provider.municipality}
            return render(request, "oidc/no_role.html", context, status=403)
        messages.error(
            request,
            getattr(self, "failure_message", None)
            or _("Logging in through the municipality did not succeed. Please try again."),
        )
        return super().login_failure()

    def login_success(self):
        response = super().login_success()
        provider = provider_of(self.request)
        seconds = provider.renew_seconds if provider else settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS
        self.request.session[EXPIRY_SESSION_KEY] = time.time() + seconds
        return response


def is_oidc_session(request) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == BACKEND_PATH


def logout_url(request) -> str:
    """Where logging out leads (the library's OIDC_OP_LOGOUT_URL_METHOD, called before our session ends):
    for a login through a provider its end-session endpoint, which then sends the user to our login page."""
    after = resolve_url(settings.LOGOUT_REDIRECT_URL)
    if not is_oidc_session(request):
        return after
    provider = provider_of(request, enabled_only=False)
    if provider is None:
        return after
    try:
        endpoint = services.endpoints(provider)["end_session_endpoint"]
    except ImproperlyConfigured:
        endpoint = ""
    if not endpoint:
        return after
    params = {"client_id": provider.client_id, "post_logout_redirect_uri": request.build_absolute_uri(after)}
    if request.session.get(ID_TOKEN_SESSION_KEY):
        params["id_token_hint"] = request.session[ID_TOKEN_SESSION_KEY]
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


class ProviderLogoutView(OIDCLogoutView):
    """Our session ends here; for a login through a provider the browser then goes on to the provider's
    end-session endpoint. Not by a redirect: our pages allow forms to post only to ourselves (CSP
    form-action 'self'), and the browser applies that to where the logout form's answer redirects. A
    page that moves on by itself (and offers the link) is a new navigation, which the policy allows."""

    def post(self, request):
        municipality = (
            provider.municipality if (provider := provider_of(request, enabled_only=False)) else None
        )
        response = super().post(request)
        target = response["Location"]
        if url_has_allowed_host_and_scheme(target, {request.get_host()}):
            return response
        context = {"title": _("Logged out"), "end_session_url": target, "municipality": municipality}
        return render(request, "oidc/logged_out.html", context)
