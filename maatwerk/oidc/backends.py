"""Login through the municipality's identity provider (mozilla-django-oidc, one provider per municipality).

The library reads one provider from the settings; here the provider is the one the user chose on the login
page, kept in the session by the start view (`PROVIDER_SESSION_KEY`).
"""

import jwt
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from . import services
from .models import IdentityProvider

PROVIDER_SESSION_KEY = "maatwerk_oidc_provider"
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105 (a session key)
BACKEND_PATH = "maatwerk.oidc.backends.MunicipalOIDCBackend"
# Set on the request when the provider knew the user but their groups give no role in Maatwerk.
NO_ROLE_ATTRIBUTE = "_maatwerk_oidc_no_role"


def provider_of(request, *, enabled_only: bool = True) -> IdentityProvider | None:
    """The provider the user chose at the start of this login."""
    pk = request.session.get(PROVIDER_SESSION_KEY)
    if pk is None:
        return None
    providers = IdentityProvider.objects.select_related("municipality").filter(pk=pk)
    if enabled_only:
        providers = providers.filter(enabled=True)
    return providers.first()


class MunicipalOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Django builds every backend for every local password login, and the library's __init__ fails
        # without global OIDC settings: the provider's settings are set per login in `configure`.
        self.UserModel = get_user_model()
        self.provider = None

    def configure(self, provider: IdentityProvider) -> None:
        found = services.endpoints(provider)
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = found["jwks_endpoint"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.secret()
        self.OIDC_RP_SIGN_ALGO = provider.sign_algorithm
        self.OIDC_RP_IDP_SIGN_KEY = None

    def get_settings(self, attr, *args):
        if attr == "OIDC_RP_SCOPES" and self.provider is not None:
            return self.provider.scopes
        return import_from_settings(attr, *args)

    def authenticate(self, request, **kwargs):
        # A local password login passes a username and password; only the callback passes a nonce.
        if request is None or "username" in kwargs or "password" in kwargs or "nonce" not in kwargs:
            return None
        provider = provider_of(request)
        if provider is None:
            return None
        self.configure(provider)
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token):
        # A provider with one signing key may leave the key id out of the token's header (the library
        # then fails on a KeyError): with exactly one key in the set, that key is the one.
        if "kid" not in jwt.get_unverified_header(token):
            response = requests.get(
                self.OIDC_OP_JWKS_ENDPOINT,
                verify=self.get_settings("OIDC_VERIFY_SSL", True),
                timeout=self.get_settings("OIDC_TIMEOUT", None),
            )
            response.raise_for_status()
            keys = response.json().get("keys", [])
            if len(keys) != 1:
                raise SuspiciousOperation("The token names no key and the provider has several")
            return jwt.PyJWK(keys[0])
        return super().retrieve_matching_jwk(token)

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def store_tokens(self, access_token, id_token):
        # The ID token is the hint the provider's end-session endpoint asks for at logout.
        self.request.session[ID_TOKEN_SESSION_KEY] = id_token

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        if user_info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo subject is not the ID token's subject")
        if not self.verify_claims(user_info):
            raise SuspiciousOperation("Claims verification failed")
        # Groups may come in the ID token or from the userinfo endpoint, depending on the provider.
        claims = {**payload, **user_info}
        user = services.user_for_claims(self.provider, claims)
        if user is None or not user.memberships.exists():
            setattr(self.request, NO_ROLE_ATTRIBUTE, self.provider)
            return None
        return user

    def get_user(self, user_id):
        # Django's check, which the library's get_user skips: a deactivated user's session ends.
        return ModelBackend.get_user(self, user_id)
