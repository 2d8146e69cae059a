"""A municipality's own identity provider (OpenID Connect), and what its claims mean in Maatwerk."""

import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import TEAM_ROLES, Membership, Municipality, Role, Team

# Only these variables may hold a client secret: an administrator who could name any variable could have
# the server send, say, its database password to a token endpoint of their choosing.
SECRET_ENV_PATTERN = re.compile(r"MAATWERK_OIDC_SECRET_[A-Z0-9_]+")

# A municipality's identity provider grants roles inside that municipality only: never the national one.
MAPPABLE_ROLES = [(value, label) for value, label in Role.choices if value != Role.PROGRAMME]


class IdentityProvider(models.Model):
    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.PROTECT,
        related_name="identity_provider",
        verbose_name=_("municipality"),
    )
    enabled = models.BooleanField(
        _("enabled"), default=False, help_text=_("Only then the login page shows the button.")
    )
    label = models.CharField(
        _("button text"), max_length=100, help_text=_('For example "Log in with your Eindhoven account".')
    )
    issuer = models.URLField(
        _("issuer"),
        blank=True,
        help_text=_(
            "The provider's address; the endpoints below are read from its "
            "/.well-known/openid-configuration when they are left empty."
        ),
    )
    authorization_endpoint = models.URLField(_("authorization endpoint"), blank=True)
    token_endpoint = models.URLField(_("token endpoint"), blank=True)
    userinfo_endpoint = models.URLField(_("userinfo endpoint"), blank=True)
    jwks_endpoint = models.URLField(_("JWKS endpoint"), blank=True)
    end_session_endpoint = models.URLField(_("end-session endpoint"), blank=True)
    client_id = models.CharField(_("client ID"), max_length=255)
    # Never shown back and never copied into the log (editable=False keeps it out of forms and of the
    # admin's delete snapshot); the admin offers a write-only field instead. Prefer the variable below.
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True, editable=False)
    client_secret_env = models.CharField(
        _("environment variable with the client secret"),
        max_length=100,
        blank=True,
        help_text=_(
            "The secret is read from this variable of the server (its name starts with "
            "MAATWERK_OIDC_SECRET_); the operator sets it."
        ),
    )
    sign_algorithm = models.CharField(
        _("signing algorithm"), max_length=10, choices=[("RS256", "RS256")], default="RS256"
    )
    scopes = models.CharField(_("scopes"), max_length=200, default="openid profile email")
    groups_claim = models.CharField(_("groups claim"), max_length=100, default="groups")
    renew_after_seconds = models.PositiveIntegerField(
        _("log in again after (seconds)"),
        null=True,
        blank=True,
        help_text=_(
            "How long a login counts before it is checked with the provider again. Empty: the default."
        ),
    )

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["municipality__name"]

    def __str__(self) -> str:
        return str(self.municipality)

    def clean(self) -> None:
        if self.client_secret_env and not SECRET_ENV_PATTERN.fullmatch(self.client_secret_env):
            raise ValidationError(
                {
                    "client_secret_env": _(
                        "The name must start with MAATWERK_OIDC_SECRET_ (capitals, digits, _)."
                    )
                }
            )
        needed = (
            self.authorization_endpoint,
            self.token_endpoint,
            self.userinfo_endpoint,
            self.jwks_endpoint,
        )
        if not self.issuer and not all(needed):
            raise ValidationError(
                {"issuer": _("Give the issuer, or the authorization, token, userinfo and JWKS endpoints.")}
            )

    def secret(self) -> str:
        if self.client_secret_env and SECRET_ENV_PATTERN.fullmatch(self.client_secret_env):
            return os.environ.get(self.client_secret_env, "")
        return self.client_secret

    @property
    def renew_seconds(self) -> int:
        if self.renew_after_seconds is not None:
            return self.renew_after_seconds
        return settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS


class GroupMapping(models.Model):
    """A value of the groups claim and the role (and team) it gives in this municipality."""

    provider = models.ForeignKey(
        IdentityProvider,
        on_delete=models.CASCADE,
        related_name="mappings",
        verbose_name=_("identity provider"),
    )
    claim_value = models.CharField(_("group"), max_length=255, help_text=_("A value of the groups claim."))
    role = models.CharField(_("role"), max_length=20, choices=MAPPABLE_ROLES)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("Required for social workers and team leads."),
    )

    class Meta:
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")
        ordering = ["provider", "claim_value", "role"]
        # Two conditional constraints: a plain one would let NULL teams repeat (NULLs are distinct in SQL).
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "claim_value", "role", "team"],
                condition=Q(team__isnull=False),
                name="groupmapping_unique_team",
            ),
            models.UniqueConstraint(
                fields=["provider", "claim_value", "role"],
                condition=Q(team__isnull=True),
                name="groupmapping_unique_no_team",
            ),
        ]

    def __str__(self) -> str:
        where = self.team.name if self.team_id else self.provider.municipality
        return f"{self.claim_value} → {self.get_role_display()} ({where})"

    def clean(self) -> None:
        if self.role == Role.PROGRAMME:
            raise ValidationError({"role": _("A municipality cannot grant the national programme role.")})
        if self.role in TEAM_ROLES and not self.team_id:
            raise ValidationError({"team": _("A social worker or team lead needs a team.")})
        if self.team_id and self.provider_id and self.team.municipality_id != self.provider.municipality_id:
            raise ValidationError({"team": _("The team does not belong to this municipality.")})


class IdentityLink(models.Model):
    """Which user a provider's subject is. Users are found by `sub` alone: an e-mail address can change
    hands, a subject identifier does not."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.PROTECT, related_name="links", verbose_name=_("identity provider")
    )
    sub = models.CharField(_("subject"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="identity_links",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity link")
        verbose_name_plural = _("identity links")
        constraints = [models.UniqueConstraint(fields=["provider", "sub"], name="identitylink_unique_sub")]

    def __str__(self) -> str:
        return f"{self.provider}: {self.user}"


class ProvidedMembership(models.Model):
    """A membership that a provider's groups claim gave: the login takes it away again when the group
    goes. Memberships an administrator made by hand have no row here and are left alone."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="provided_by", verbose_name=_("membership")
    )
    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="+", verbose_name=_("identity provider")
    )

    class Meta:
        verbose_name = _("membership from the identity provider")
        verbose_name_plural = _("memberships from the identity provider")

    def __str__(self) -> str:
        return f"{self.membership} ({self.provider})"
