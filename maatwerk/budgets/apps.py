from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "maatwerk.budgets"
    verbose_name = _("Maatwerk budget")

    def ready(self) -> None:
        # The spend requests' panel and events on the case page (cases cannot import this app).
        from . import hub

        hub.register()
