"""What a login through a municipality's identity provider changes: the user, the link, the memberships."""

import hashlib
from collections.abc import Iterable

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Membership, Role

from .models import GroupMapping, IdentityLink, IdentityProvider, ProvidedMembership

ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_endpoint",
    "end_session_endpoint",
)
# The discovery document's names for our fields.
_DISCOVERY_NAMES = {"jwks_endpoint": "jwks_uri"}
DISCOVERY_CACHE_SECONDS = 3600


def endpoints(provider: IdentityProvider) -> dict[str, str]:
    """The provider's endpoints: those set in the admin, the rest from its discovery document."""
    found = {name: getattr(provider, name) for name in ENDPOINTS}
    if all(found.values()) or not provider.issuer:
        return found
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = cache.get(url)
    if document is None:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ImproperlyConfigured(f"OIDC discovery failed for {provider}: {exc}") from exc
        cache.set(url, document, DISCOVERY_CACHE_SECONDS)
    for name in ENDPOINTS:
        found[name] = found[name] or document.get(_DISCOVERY_NAMES.get(name, name), "")
    return found


def username_for(provider: IdentityProvider, sub: str) -> str:
    # The subject may be an e-mail address or a national number: a hash keeps it out of the username.
    return f"{provider.municipality.code}-{hashlib.sha256(sub.encode()).hexdigest()[:20]}"


def claimed_groups(provider: IdentityProvider, claims: dict) -> set[str]:
    value = claims.get(provider.groups_claim) or []
    if isinstance(value, str):
        value = [value]
    return {str(v) for v in value if isinstance(v, str | int)}


def mapped_roles(provider: IdentityProvider, groups: Iterable[str]) -> set[tuple[str, int, int | None]]:
    """(role, municipality id, team id) that the groups give in the provider's municipality."""
    return {
        (m.role, provider.municipality_id, m.team_id)
        for m in GroupMapping.objects.filter(provider=provider, claim_value__in=list(groups))
    }


def sync_memberships(user, provider: IdentityProvider, groups: Iterable[str], *, by=None) -> tuple[int, int]:
    """Give the user the memberships the groups map to, and take away those this provider gave earlier
    that the groups no longer give. `by` is the acting user (None: the login itself, the system).
    Returns (added, removed)."""
    wanted = mapped_roles(provider, groups)
    added = removed = 0
    with transaction.atomic():
        provided = {
            (p.membership.role, p.membership.municipality_id, p.membership.team_id): p.membership
            for p in ProvidedMembership.objects.select_related("membership").filter(
                provider=provider, membership__user=user
            )
        }
        for key, membership in provided.items():
            if key not in wanted:
                pk = membership.pk
                membership.delete()
                membership.pk = pk
                _log(by, membership, AccessLog.Action.DELETE, provider)
                removed += 1
        existing = {(m.role, m.municipality_id, m.team_id) for m in Membership.objects.filter(user=user)}
        for role, municipality_id, team_id in sorted(wanted - existing, key=str):
            membership = Membership.objects.create(
                user=user, role=role, municipality_id=municipality_id, team_id=team_id
            )
            ProvidedMembership.objects.create(membership=membership, provider=provider)
            _log(by, membership, AccessLog.Action.CREATE, provider)
            added += 1
        # The functional administrator works in /beheer/, which asks for staff status as well as the admin
        # membership. Set here, never taken away: without the membership the flag opens nothing (the
        # admin site lets staff in only for the municipalities they administer), and the operator may
        # have set it for other reasons.
        if not user.is_staff and any(role == Role.ADMIN for role, _m, _t in wanted):
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            log_access(
                by,
                user,
                action=AccessLog.Action.UPDATE,
                purpose=f"oidc: staff status for the admin role of {provider.municipality.code}",
                municipality_id=provider.municipality_id,
                changes={"is_staff": [False, True]},
            )
    if hasattr(user, "_maatwerk_memberships"):
        del user._maatwerk_memberships  # tenancy's per-request cache
    return added, removed


def _log(by, membership: Membership, action: str, provider: IdentityProvider) -> None:
    log_access(
        by,
        membership,
        action=action,
        purpose=f"oidc: role from the groups claim of {provider.municipality.code}",
        municipality_id=membership.municipality_id,
        changes={
            "user": [None, membership.user_id]
            if action == AccessLog.Action.CREATE
            else [membership.user_id, None],
            "role": [None, membership.role] if action == AccessLog.Action.CREATE else [membership.role, None],
            "team": [None, membership.team_id]
            if action == AccessLog.Action.CREATE
            else [membership.team_id, None],
        },
    )


def user_for_claims(provider: IdentityProvider, claims: dict):
    """The user linked to the claims' subject, created on the first login; None when the groups give no
    role and the subject has no user yet (no empty accounts). Name and e-mail are copied for display."""
    sub = str(claims["sub"])
    User = get_user_model()
    with transaction.atomic():
        link = IdentityLink.objects.select_related("user").filter(provider=provider, sub=sub).first()
        if link is None:
            if not mapped_roles(provider, claimed_groups(provider, claims)):
                return None
            user = User(username=username_for(provider, sub))
            user.set_unusable_password()
            _copy_profile(user, claims)
            user.save()
            IdentityLink.objects.create(provider=provider, sub=sub, user=user)
            log_access(
                None,
                user,
                action=AccessLog.Action.CREATE,
                purpose=f"oidc: first login through {provider.municipality.code}",
                municipality_id=provider.municipality_id,
            )
        else:
            user = link.user
            before = (user.first_name, user.last_name, user.email)
            _copy_profile(user, claims)
            if (user.first_name, user.last_name, user.email) != before:
                user.save(update_fields=["first_name", "last_name", "email"])
        sync_memberships(user, provider, claimed_groups(provider, claims))
    return user


def _copy_profile(user, claims: dict) -> None:
    first, last = claims.get("given_name") or "", claims.get("family_name") or ""
    if not (first or last) and claims.get("name"):
        first, _, last = str(claims["name"]).partition(" ")
    user.first_name = str(first)[:150]
    user.last_name = str(last)[:150]
    user.email = str(claims.get("email") or "")[:254]
