from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "maatwerk.accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from . import signals  # noqa: F401 (connects the receivers)
