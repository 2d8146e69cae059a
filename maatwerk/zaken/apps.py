from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZakenConfig(AppConfig):
    name = "maatwerk.zaken"
    label = "zaken"
    verbose_name = _("Open Zaak")

    def ready(self) -> None:
        # Closing a case, its status changes and spend decisions start a registration (when switched on);
        # its state shows on the case page. cases and budgets cannot import this app.
        from . import hub, receivers

        receivers.connect()
        hub.register()
