from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "maatwerk.catalogue"
    verbose_name = _("Cost overview")
