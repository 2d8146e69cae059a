from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusinessCasesConfig(AppConfig):
    name = "maatwerk.businesscases"
    verbose_name = _("Business cases")

    def ready(self) -> None:
        # The business case's panel and events on the case page (cases cannot import this app).
        from . import hub

        hub.register()
