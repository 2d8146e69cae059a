from django import forms
from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from maatwerk.accounts.admin_base import NationalDataAdmin, form_changes, operator_only
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog
from maatwerk.barriers.models import BarrierType
from maatwerk.cases.models import Theme

# The background tasks' results (the insights refresh and its errors) belong to no municipality: the
# operator's, like the login records.
operator_only(admin.site, DBTaskResult)


class ThemeForm(forms.ModelForm):
    # Here and not in cases: cases sits below barriers and keeps only the code.
    barrier_type = forms.ChoiceField(
        label=Theme._meta.get_field("barrier_type").verbose_name,
        choices=[("", "—"), *BarrierType.choices],
        required=False,
    )

    class Meta:
        model = Theme
        fields = ["name", "name_en", "description", "barrier_type", "active", "order"]


@admin.register(Theme)
class ThemeAdmin(NationalDataAdmin):
    """The themes of the voices: one list for every municipality, so that stories compare. Any functional
    administrator may add a theme, rename it or deactivate it; none may delete one (voices carry it)."""

    form = ThemeForm
    list_display = ["name", "name_en", "barrier_type", "active", "order"]
    list_filter = ["active"]
    search_fields = ["name", "name_en"]

    def has_add_permission(self, request):
        return self._may_look(request)

    def has_change_permission(self, request, obj=None):
        return self._may_look(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        log_access(
            request.user,
            obj,
            action=AccessLog.Action.UPDATE if change else AccessLog.Action.CREATE,
            purpose=f"admin: {'change' if change else 'add'} theme",
            request=request,
            changes=form_changes(form),
        )
