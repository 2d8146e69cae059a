"""/beheer/: a municipality's functional administrator configures the export of their own municipality.

The ZGW services (API root, client ID and secret) are zgw-consumers' `Service`, whose admin is the
operator's: they are credentials no municipality's administrator should see or swap for another
municipality's. So the operator links the services here; the administrator sees which are linked and sets
the RSIN, the catalogue's URLs and the switch. The registrations are shown read-only.
"""

from django.contrib import admin

from maatwerk.accounts.admin_base import ReadOnlyScopedAdmin, ScopedAdmin, is_operator

from .models import CaseRegistration, ZaakConfig

SERVICE_FIELDS = ("zaken_service", "besluiten_service", "documenten_service")


@admin.register(ZaakConfig)
class ZaakConfigAdmin(ScopedAdmin):
    list_display = ("municipality", "enabled", "rsin")
    fieldsets = (
        (None, {"fields": ("municipality", "enabled", "rsin")}),
        ("ZGW", {"fields": SERVICE_FIELDS}),
        (
            "Catalogi",
            {
                "fields": (
                    "zaaktype",
                    "statustype_intake",
                    "statustype_analysis",
                    "statustype_plan",
                    "statustype_execution",
                    "statustype_closed",
                    "statustype_aftercare",
                    "resultaattype",
                    "besluittype",
                    "informatieobjecttype",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not is_operator(request):
            fields += SERVICE_FIELDS
            if obj is not None:
                fields.append("municipality")  # a configuration stays with its municipality
        return fields


@admin.register(CaseRegistration)
class CaseRegistrationAdmin(ReadOnlyScopedAdmin):
    list_display = ("identificatie", "municipality", "state", "attempts", "finished_at")
    list_filter = ("state",)
    fields = (
        "identificatie",
        "case",
        "state",
        "zaak_url",
        "status_urls",
        "resultaat_url",
        "document_url",
        "zaakinformatieobject_url",
        "attempts",
        "error",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields
