"""/beheer/ for accounts: a municipality's functional administrator manages the teams, users, memberships
and API tokens of their own municipality only (see admin_base for the rules every admin here follows).

Decided for the `admin` role: an administrator may give a user of their own municipality the `admin` role
there (a successor or deputy), but that user reaches /beheer/ only once a superuser grants staff status;
the `programme` role, staff and superuser status, groups and permissions are granted by a superuser only.
An administrator cannot edit a superuser, nor a user who also has a membership outside their
municipalities (another municipality, or the national programme), and so cannot reset their password.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import twofactor
from .admin_base import (
    ReadOnlyScopedAdmin,
    ScopedAdmin,
    ScopedChoicesMixin,
    admin_municipality_ids,
    is_operator,
)
from .audit import acting
from .models import AccessLog, ApiToken, Membership, Municipality, Role, Team, User

__all__ = ["admin_municipality_ids"]  # catalogue's admin imports it from here

PRIVILEGED_USER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
OPERATOR_ROLES = frozenset({Role.PROGRAMME})


def manageable_users(request):
    """Users an administrator may edit: no superusers, and every membership in their municipalities."""
    ids = admin_municipality_ids(request)
    outside = Membership.objects.filter(Q(municipality__isnull=True) | ~Q(municipality__in=ids))
    return User.objects.filter(
        is_superuser=False, pk__in=Membership.objects.filter(municipality__in=ids).values("user")
    ).exclude(pk__in=outside.values("user"))


def _role_choices(request, field):
    if not is_operator(request):
        field.choices = [(value, label) for value, label in field.choices if value not in OPERATOR_ROLES]
    return field


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    municipality_lookup = "pk"
    # Names and CBS codes are the country's; the operator keeps them.
    admin_may_add = admin_may_change = admin_may_delete = False


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    # A team holds case history: rename it, never remove it here.
    admin_may_delete = False


class MembershipFormSet(BaseInlineFormSet):
    request = None

    def clean(self):
        super().clean()
        if self.request is None or is_operator(self.request):
            return
        kept = [
            f
            for f in self.forms
            if f not in self.deleted_forms and (f.instance.pk or f.has_changed()) and not f.errors
        ]
        if not kept:
            raise ValidationError(
                _(
                    "Give the user at least one membership in your municipality "
                    "(deactivate the account to end it)."
                )
            )


class MembershipInline(ScopedChoicesMixin, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["team"]

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_operator(request):
            return qs
        return qs.filter(municipality__in=admin_municipality_ids(request))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        return _role_choices(request, field) if db_field.name == "role" else field

    def _parent_managed(self, request, obj) -> bool:
        user_admin = self.admin_site._registry[User]
        return obj is None or user_admin.may_manage(request, obj)

    def has_add_permission(self, request, obj=None):
        if is_operator(request):
            return super().has_add_permission(request, obj)
        return self._parent_managed(request, obj)

    def has_change_permission(self, request, obj=None):
        if is_operator(request):
            return super().has_change_permission(request, obj)
        return self._parent_managed(request, obj)

    def has_delete_permission(self, request, obj=None):
        if is_operator(request):
            return super().has_delete_permission(request, obj)
        return self._parent_managed(request, obj)

    def has_view_permission(self, request, obj=None):
        if is_operator(request):
            return super().has_view_permission(request, obj)
        return True  # the parent user page decided already; the rows are scoped by get_queryset


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    inlines = [MembershipInline]
    municipality_lookup = "memberships__municipality"
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff"]
    # The access log names users (PROTECT): an account is deactivated, not removed.
    admin_may_delete = False
    actions = ["reset_twofactor"]

    def may_manage(self, request, obj) -> bool:
        if is_operator(request):
            return True
        return manageable_users(request).filter(pk=obj.pk).exists()

    def get_list_filter(self, request):
        if is_operator(request):
            return super().get_list_filter(request)
        return ["is_active", "is_staff"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if is_operator(request) or obj is None:
            return fieldsets
        hidden = {"groups", "user_permissions"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Superusers are made on the command line (createsuperuser), never through the web.
        readonly.append("is_superuser")
        if not is_operator(request):
            readonly += ["is_staff", "last_login", "date_joined"]
        return readonly

    def save_model(self, request, obj, form, change):
        # The fields are not in the form (read-only above), so a crafted POST cannot set them; this is the
        # second lock, in case a form ever does carry them.
        locked = ["is_superuser"] if is_operator(request) else ["is_superuser", "is_staff"]
        if change:
            stored = User.objects.filter(pk=obj.pk).values_list(*locked).first()
            if stored is not None and tuple(stored) != tuple(getattr(obj, name) for name in locked):
                raise PermissionDenied
        else:
            for name in locked:
                setattr(obj, name, False)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not is_operator(request):
            # Only the operator changes groups and permissions (not in this form; refuse if they were).
            for name in ("groups", "user_permissions"):
                if name in form.cleaned_data and name in form.changed_data:
                    raise PermissionDenied
        super().save_related(request, form, formsets, change)

    @admin.action(description=_("Reset two-factor login (lost phone)"), permissions=["change"])
    def reset_twofactor(self, request, queryset):
        users = list(queryset)
        # Only users this administrator may manage (the action's queryset is scoped already; a second lock).
        if not all(self.may_manage(request, user) for user in users):
            raise PermissionDenied
        with transaction.atomic():
            count = sum(twofactor.reset(user, by=request.user, request=request) for user in users)
        self.message_user(
            request,
            _("Two-factor login reset for %(count)d users: they set it up again at their next login.")
            % {"count": count},
            messages.SUCCESS,
        )

    def user_change_password(self, request, id, form_url=""):
        # The signal revokes the user's API tokens and logs the change with the acting administrator.
        with acting(request.user, request):
            return super().user_change_password(request, id, form_url)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "role", "municipality", "team"]
    list_filter = ["role", "municipality"]
    search_fields = ["user__username", "user__last_name", "team__name"]
    autocomplete_fields = ["team"]

    def may_manage(self, request, obj) -> bool:
        if is_operator(request):
            return True
        return (
            self.in_scope(request, obj)
            and obj.role not in OPERATOR_ROLES
            and manageable_users(request).filter(pk=obj.user_id).exists()
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not is_operator(request):
            kwargs["queryset"] = manageable_users(request).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        return _role_choices(request, field) if db_field.name == "role" else field


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Tokens are issued with their key shown once (not here); here they are looked up and revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "user__username"]
    municipality_lookup = "user__memberships__municipality"
    actions = ["revoke"]
    admin_may_delete = False  # revoke instead: the row is evidence of which token was used when

    def has_add_permission(self, request):
        return False

    def may_manage(self, request, obj) -> bool:
        if is_operator(request):
            return True
        return manageable_users(request).filter(pk=obj.user_id).exists()

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True).select_related("user"))
        if not all(self.has_change_permission(request, token) for token in tokens):
            raise PermissionDenied
        now = timezone.now()
        with transaction.atomic():
            for token in tokens:
                token.revoked_at = now
                token.save(update_fields=["revoked_at"])
                self.audit(request, token, AccessLog.Action.UPDATE, {"revoked_at": [None, now.isoformat()]})
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": len(tokens)}, messages.SUCCESS)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyScopedAdmin):
    """Searchable, never editable: the log is evidence."""

    list_display = ["at", "user", "action", "object_type", "object_id", "household_id", "purpose"]
    list_filter = ["action", "object_type", "municipality", ("at", admin.DateFieldListFilter)]
    search_fields = ["user__username", "object_type", "object_id", "purpose", "path"]
    date_hierarchy = "at"
    list_select_related = ["user"]


def _password_change_with_actor(view):
    def password_change(request, extra_context=None):
        with acting(request.user, request):
            return view(request, extra_context)

    return password_change


def _login_through_ours(request, extra_context=None):
    """/beheer/login/ would log in with the password alone: our login page asks the code where it applies."""
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied  # logged in, but no administrator: no second login form here
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


admin.site.login = _login_through_ours
# The admin's own "change my password" page: the signal then logs the user as the one who acted.
admin.site.password_change = _password_change_with_actor(admin.site.password_change)
admin.site.site_header = _("Maatwerk — administration")
admin.site.site_title = _("Maatwerk")
