from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "maatwerk.cases"
    verbose_name = _("Case files")

    def ready(self) -> None:
        # The case file's own timeline events; other apps register theirs in their ready() (see hub.py).
        from . import events

        events.register()
