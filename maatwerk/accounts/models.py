import hashlib
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WORKER = "worker", _("social worker")
    TEAM_LEAD = "team_lead", _("team lead")
    LEGAL_CHECKER = "legal_checker", _("legality checker")
    POLICY = "policy", _("policy")
    PROGRAMME = "programme", _("national programme")
    RESEARCHER = "researcher", _("researcher")
    ADMIN = "admin", _("functional administrator")


# Roles that work on case files of their own team(s), and roles that need a municipality.
TEAM_ROLES = frozenset({Role.WORKER, Role.TEAM_LEAD})
MUNICIPAL_ROLES = frozenset({Role.LEGAL_CHECKER, Role.POLICY, Role.RESEARCHER, Role.ADMIN})


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # CBS municipality code (e.g. "0772" for Eindhoven): stable across renames.
    code = models.CharField(_("CBS code"), max_length=4, unique=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="teams", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["municipality__name", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality})"


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships, not from flags."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def roles(self) -> set[str]:
        return set(self.memberships.values_list("role", flat=True))

    # A login may re-save the password with a stronger hash (a Django upgrade raises the iterations). That
    # is not a password change, so it must not revoke the user's API tokens: the flag tells the signal.
    def check_password(self, raw_password):
        self._maatwerk_checking_password = True
        try:
            return super().check_password(raw_password)
        finally:
            self._maatwerk_checking_password = False

    async def acheck_password(self, raw_password):
        self._maatwerk_checking_password = True
        try:
            return await super().acheck_password(raw_password)
        finally:
            self._maatwerk_checking_password = False

    def has_role(self, *roles: str) -> bool:
        return self.memberships.filter(role__in=roles).exists()


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("municipality"),
        help_text=_("Empty only for the national programme."),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("team"),
        help_text=_("Required for social workers and team leads."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "municipality", "team"], name="membership_unique")
        ]

    def __str__(self) -> str:
        where = self.team or self.municipality or _("national")
        return f"{self.user} — {self.get_role_display()} — {where}"

    def save(self, *args, **kwargs):
        if self.team_id and not self.municipality_id:
            self.municipality_id = self.team.municipality_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.team_id and not self.municipality_id:
            self.municipality = self.team.municipality
        if self.team_id and self.team.municipality_id != self.municipality_id:
            raise ValidationError({"team": _("The team does not belong to this municipality.")})
        if self.role in TEAM_ROLES and not self.team_id:
            raise ValidationError({"team": _("A social worker or team lead needs a team.")})
        if self.role in MUNICIPAL_ROLES and not self.municipality_id:
            raise ValidationError({"municipality": _("This role needs a municipality.")})


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored; the token is shown once at creation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    # Set when the token is withdrawn (by an administrator, or because the owner's password changed); the
    # row stays as evidence of which token was used when.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        key = "mw_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=cls.hash(key))
        return token, key


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be updated")

    # _raw_delete is what the deletion collector uses for fast deletes.
    def _raw_delete(self, using):
        raise AppendOnlyError(f"{self.model.__name__} is append-only: rows cannot be deleted")


# Query-string keys that name a filter, not a person: the only ones AccessLog.path keeps. A search term
# (`q`) can be a household's name and is dropped, and so is every key not listed here.
LOGGED_QUERY_KEYS = frozenset(
    {
        "status",
        "domain",
        "agency",
        "team",
        "worker",
        "overdue",
        "page",
        "level",
        "type",
        "moment",
        "channel",
        "kind",
        "year",
        "per",
        "payer",
        "confidence",
        "active",
        "limit",
        "offset",
    }
)
# An allowed key still carries free input; keep only values that look like a code or a number.
_LOGGED_VALUE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.")
PATH_MAX = 300


def loggable_path(full_path: str) -> str:
    """`full_path` without its query string, plus only the non-personal filters (see LOGGED_QUERY_KEYS)."""
    parts = urlsplit(full_path or "")
    kept = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=False)
        if key in LOGGED_QUERY_KEYS and len(value) <= 40 and set(value) <= _LOGGED_VALUE
    ]
    path = parts.path + ("?" + urlencode(kept) if kept else "")
    return path[:PATH_MAX]


class AppendOnlyModel(models.Model):
    """A row that can be created once and never changed or removed through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only: rows cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} is append-only: rows cannot be deleted")


class AccessLogQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.path = loggable_path(obj.path)
        return super().bulk_create(objs, *args, **kwargs)


class AccessLog(AppendOnlyModel):
    class Action(models.TextChoices):
        READ = "read", _("read")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        EXPORT = "export", _("export")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # PROTECT: a user who appears in the log cannot be removed (deactivate instead).
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Identifies the object without copying personal data into the log.
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object id"), max_length=50)
    household_id = models.BigIntegerField(_("household id"), null=True, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    # Without personal search terms: every way in (save, create, bulk_create) passes loggable_path().
    path = models.CharField(_("path"), max_length=PATH_MAX, blank=True)
    # What an administrator changed, as {field: [old, new]}; secrets appear only as a marker.
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        self.path = loggable_path(self.path)
        super().save(*args, **kwargs)
