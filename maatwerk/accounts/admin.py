from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import tenancy
from .models import AccessLog, ApiToken, Membership, Municipality, Role, Team, User


def admin_municipality_ids(request) -> set[int]:
    return tenancy.municipality_ids(request.user, {Role.ADMIN})


class MunicipalityScopedAdmin(admin.ModelAdmin):
    """Functional administrators manage only their own municipality; superusers see everything."""

    municipality_lookup = "municipality"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.municipality_lookup}__in": admin_municipality_ids(request)}).distinct()


@admin.register(Municipality)
class MunicipalityAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    municipality_lookup = "pk"


@admin.register(Team)
class TeamAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, MunicipalityScopedAdmin):
    inlines = [MembershipInline]
    municipality_lookup = "memberships__municipality"
    list_display = ["username", "first_name", "last_name", "is_active"]


@admin.register(Membership)
class MembershipAdmin(MunicipalityScopedAdmin):
    list_display = ["user", "role", "municipality", "team"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__last_name", "team__name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["name", "user__username"]


@admin.register(AccessLog)
class AccessLogAdmin(MunicipalityScopedAdmin):
    """Searchable, never editable: the log is evidence."""

    list_display = ["at", "user", "action", "object_type", "object_id", "household_id", "purpose"]
    list_filter = ["action", "object_type", "municipality", ("at", admin.DateFieldListFilter)]
    search_fields = ["user__username", "object_type", "object_id", "purpose", "path"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Maatwerk — administration")
admin.site.site_title = _("Maatwerk")
