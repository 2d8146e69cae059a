from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarriersConfig(AppConfig):
    name = "maatwerk.barriers"
    verbose_name = _("Barrier register")

    def ready(self) -> None:
        # The barriers' panel and events on the case page (cases cannot import this app).
        from . import hub

        hub.register()
