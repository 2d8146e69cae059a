from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OidcConfig(AppConfig):
    name = "maatwerk.oidc"
    label = "oidc"
    verbose_name = _("Login through the municipality")
