from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZakenConfig(AppConfig):
    name = "maatwerk.zaken"
    label = "zaken"
    verbose_name = _("Open Zaak")
