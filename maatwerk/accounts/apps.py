from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "maatwerk.accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from django.contrib import admin
        from django.db.backends.signals import connection_created

        from maatwerk.lib.sqlite import enable_wal

        from . import signals  # noqa: F401 (connects the receivers)
        from .admin_base import restrict_library_admins

        restrict_library_admins(admin.site)

        # Every process loads this app before its first query: a SQLite file gets WAL mode once.
        connection_created.connect(enable_wal, dispatch_uid="maatwerk_sqlite_wal")
