"""/beheer/ for the login through the municipality: its functional administrator keeps the provider and the
group mapping of their own municipality (the rules of accounts.admin_base). The client secret is
write-only: never shown back, and the log says only that it changed."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.admin_base import ScopedAdmin

from .models import GroupMapping, IdentityProvider


class IdentityProviderForm(forms.ModelForm):
    # Not the model field: an empty box keeps the stored secret, and nothing is rendered back.
    new_client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current secret. Better: the environment variable below."),
    )

    class Meta:
        model = IdentityProvider
        fields = [  # noqa: RUF012
            "municipality",
            "enabled",
            "label",
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_endpoint",
            "end_session_endpoint",
            "sign_algorithm",
            "scopes",
            "groups_claim",
            "renew_after_seconds",
            "client_id",
            "client_secret_env",
        ]

    def save(self, commit=True):
        if self.cleaned_data.get("new_client_secret"):
            self.instance.client_secret = self.cleaned_data["new_client_secret"]
        return super().save(commit)


@admin.register(IdentityProvider)
class IdentityProviderAdmin(ScopedAdmin):
    form = IdentityProviderForm
    # A provider's address without a scheme is an https one (and Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # noqa: RUF012
    list_display = ["municipality", "label", "enabled", "secret_set"]
    list_filter = ["enabled"]
    fieldsets = [
        (None, {"fields": ["municipality", "enabled", "label"]}),
        (
            _("Provider"),
            {
                "fields": [
                    "issuer",
                    "authorization_endpoint",
                    "token_endpoint",
                    "userinfo_endpoint",
                    "jwks_endpoint",
                    "end_session_endpoint",
                    "sign_algorithm",
                    "scopes",
                    "groups_claim",
                    "renew_after_seconds",
                ]
            },
        ),
        (_("Client"), {"fields": ["client_id", "new_client_secret", "client_secret_env"]}),
    ]

    @admin.display(description=_("secret set"), boolean=True)
    def secret_set(self, obj) -> bool:
        return bool(obj.secret())


@admin.register(GroupMapping)
class GroupMappingAdmin(ScopedAdmin):
    list_display = ["claim_value", "role", "team", "provider"]
    list_filter = ["role", "provider"]
    search_fields = ["claim_value", "team__name"]
    municipality_lookup = "provider__municipality"

    def log_municipality_id(self, obj):
        return obj.provider.municipality_id
