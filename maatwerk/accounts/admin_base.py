"""The one base for every page of /beheer/: a municipality's administrator stays inside their municipality.

What a non-superuser may do in the admin comes from their `admin` memberships (tenancy), never from
Django's permission flags or groups, which only a superuser (the operator) grants. Per model admin:

- the change list, every object page and every autocomplete answer hold only the rows of the
  administrator's municipalities (`municipality_lookup`, the path from the model to its Municipality);
- every foreign-key and many-to-many choice comes from the admin of the related model, so it is scoped the
  same way; a POSTed id outside it is "not a valid choice" (a related model without an admin offers none);
- every save and delete is written to the AccessLog with the old and new values of what changed.

A superuser keeps Django's behaviour. `OperatorOnlyAdmin` is for data no municipality owns.
"""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.forms.models import model_to_dict

from . import tenancy
from .audit import SECRET_NEW, SECRET_OLD, acting, log_access
from .models import AccessLog

SECRET_FIELDS = frozenset({"password", "password1", "password2", "key_hash"})


def is_operator(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def admin_municipality_ids(request) -> set[int]:
    return tenancy.admin_municipality_ids(request.user)


def plain(value):
    """A form or model value as JSON for the log: objects by primary key, sets sorted."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def form_changes(form) -> dict:
    """{field: [old, new]} of what the form changed; secrets only as a marker."""
    changes = {}
    for name in form.changed_data:
        field = form.fields.get(name)
        if name in SECRET_FIELDS or (field is not None and isinstance(field.widget, forms.PasswordInput)):
            changes[name] = [None if form.instance._state.adding else SECRET_OLD, SECRET_NEW]
            continue
        changes[name] = [plain(form.initial.get(name)), plain(form.cleaned_data.get(name))]
    return changes


def snapshot(obj) -> dict:
    """{field: [old, None]} of a row about to be deleted."""
    return {
        name: [SECRET_OLD if name in SECRET_FIELDS else plain(value), None]
        for name, value in model_to_dict(obj).items()
    }


class ScopedChoicesMixin:
    """Form choices from the related model's own (scoped) admin; shared by model admins and inlines."""

    def related_choices(self, db_field, request):
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if related_admin is None or isinstance(related_admin, OperatorOnlyMixin):
            return db_field.remote_field.model._default_manager.none()
        return related_admin.get_queryset(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not is_operator(request) and "queryset" not in kwargs:
            kwargs["queryset"] = self.related_choices(db_field, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not is_operator(request) and "queryset" not in kwargs:
            kwargs["queryset"] = self.related_choices(db_field, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """A model that belongs to a municipality. Subclasses set what an administrator may do within it."""

    municipality_lookup = "municipality"
    admin_may_add = True
    admin_may_change = True
    admin_may_delete = True

    # -- which rows ------------------------------------------------------------------------------------
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_operator(request):
            return qs
        return self.scope(qs, request)

    def scope(self, qs, request):
        ids = admin_municipality_ids(request)
        if "__" in self.municipality_lookup:
            # Through a to-many relation a row may match twice; filter on primary keys to stay distinct.
            inner = qs.model._default_manager.filter(**{f"{self.municipality_lookup}__in": ids})
            return qs.filter(pk__in=inner.values("pk"))
        return qs.filter(**{f"{self.municipality_lookup}__in": ids})

    def in_scope(self, request, obj) -> bool:
        if is_operator(request):
            return True
        return self.scope(self.model._default_manager.filter(pk=obj.pk), request).exists()

    def may_manage(self, request, obj) -> bool:
        """May a municipality's administrator change or delete this (visible) row? Override to narrow."""
        return self.in_scope(request, obj)

    def get_list_filter(self, request):
        # A plain related filter lists every municipality, team or user in the country; this one lists
        # only those of the rows shown.
        return [
            (name, RelatedOnlyFieldListFilter) if isinstance(name, str) and self._is_relation(name) else name
            for name in super().get_list_filter(request)
        ]

    def _is_relation(self, name: str) -> bool:
        try:
            field = self.model._meta.get_field(name)
        except Exception:  # noqa: BLE001 (a lookup path or a callable: leave it as declared)
            return False
        return field.is_relation

    # -- permissions: from memberships, not from flags ----------------------------------------------------
    def _administers(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_staff and admin_municipality_ids(request))

    def has_module_permission(self, request):
        if is_operator(request):
            return super().has_module_permission(request)
        return self._administers(request)

    def has_view_permission(self, request, obj=None):
        if is_operator(request):
            return super().has_view_permission(request, obj)
        return self._administers(request) and (obj is None or self.in_scope(request, obj))

    def has_add_permission(self, request):
        if is_operator(request):
            return super().has_add_permission(request)
        return self.admin_may_add and self._administers(request)

    def has_change_permission(self, request, obj=None):
        if is_operator(request):
            return super().has_change_permission(request, obj)
        return (
            self.admin_may_change
            and self._administers(request)
            and (obj is None or self.may_manage(request, obj))
        )

    def has_delete_permission(self, request, obj=None):
        if is_operator(request):
            return super().has_delete_permission(request, obj)
        return (
            self.admin_may_delete
            and self._administers(request)
            and (obj is None or self.may_manage(request, obj))
        )

    # -- the audit trail -----------------------------------------------------------------------------------
    def changeform_view(self, request, *args, **kwargs):
        with acting(request.user, request):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with acting(request.user, request):
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with acting(request.user, request):
            return super().changelist_view(request, *args, **kwargs)

    def log_municipality_id(self, obj) -> int | None:
        if not isinstance(obj, self.model):
            return getattr(obj, "municipality_id", None)
        if self.municipality_lookup == "pk":
            return obj.pk
        return (
            self.model._default_manager.filter(pk=obj.pk)
            .exclude(**{f"{self.municipality_lookup}__isnull": True})
            .order_by(self.municipality_lookup)
            .values_list(self.municipality_lookup, flat=True)
            .first()
        )

    def audit(self, request, obj, action: str, changes: dict, *, municipality_id=None) -> None:
        log_access(
            request.user,
            obj,
            action=action,
            purpose=f"admin: {action} {obj._meta.model_name}",
            municipality_id=municipality_id if municipality_id is not None else self.log_municipality_id(obj),
            request=request,
            changes=changes,
        )

    def save_model(self, request, obj, form, change):
        changes = form_changes(form)
        super().save_model(request, obj, form, change)
        # Written in save_related, after the inlines: they decide a new user's municipality.
        request._maatwerk_audit = (obj, changes, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pending = getattr(request, "_maatwerk_audit", None)
        if pending is not None:
            obj, changes, changed = pending
            del request._maatwerk_audit
            if changes or not changed:
                action = AccessLog.Action.UPDATE if changed else AccessLog.Action.CREATE
                self.audit(request, obj, action, changes)

    def save_formset(self, request, form, formset, change):
        deleted = [
            (f.instance, f.instance.pk, snapshot(f.instance), getattr(f.instance, "municipality_id", None))
            for f in formset.deleted_forms
            if f.instance.pk
        ]
        edited = [
            (f, form_changes(f), f.instance._state.adding)
            for f in formset.forms
            if f not in formset.deleted_forms and f.has_changed()
        ]
        super().save_formset(request, form, formset, change)
        for obj, pk, changes, municipality_id in deleted:
            obj.pk = pk  # delete() cleared it; the log names the row that was
            self.audit(request, obj, AccessLog.Action.DELETE, changes, municipality_id=municipality_id)
        for f, changes, adding in edited:
            if f.instance.pk is not None:
                action = AccessLog.Action.CREATE if adding else AccessLog.Action.UPDATE
                self.audit(request, f.instance, action, changes)

    def delete_model(self, request, obj):
        if not self.has_delete_permission(request, obj):
            raise PermissionDenied
        pk, changes, municipality_id = obj.pk, snapshot(obj), self.log_municipality_id(obj)
        super().delete_model(request, obj)
        obj.pk = pk
        self.audit(request, obj, AccessLog.Action.DELETE, changes, municipality_id=municipality_id)

    def delete_queryset(self, request, queryset):
        # The bulk action checks permission once for the model; each row is checked here, all before any
        # is removed, so that a selection with one forbidden row removes nothing.
        objs = list(queryset)
        if not all(self.has_delete_permission(request, obj) for obj in objs):
            raise PermissionDenied
        with transaction.atomic():
            for obj in objs:
                self.delete_model(request, obj)


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Evidence (ledger, batches, the log): scoped like the rest, changed by nobody in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NationalDataAdmin(admin.ModelAdmin):
    """National data (the cost catalogue): a municipality's administrator looks, only a superuser changes."""

    def _may_look(self, request) -> bool:
        return is_operator(request) or bool(request.user.is_staff and admin_municipality_ids(request))

    def has_module_permission(self, request):
        return self._may_look(request)

    def has_view_permission(self, request, obj=None):
        return self._may_look(request)

    def has_add_permission(self, request):
        return is_operator(request)

    def has_change_permission(self, request, obj=None):
        return is_operator(request)

    def has_delete_permission(self, request, obj=None):
        return False


class OperatorOnlyMixin:
    """Data no municipality owns (groups and permissions, login attempts): for superusers only."""

    def has_module_permission(self, request):
        return is_operator(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_operator(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_operator(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_operator(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request) and super().has_delete_permission(request, obj)


def operator_only(site, model) -> None:
    """Re-register an admin that another app registered so that only superusers reach it."""
    if not site.is_registered(model) or isinstance(site._registry[model], OperatorOnlyMixin):
        return
    base = type(site._registry[model])
    site.unregister(model)
    site.register(model, type(f"OperatorOnly{base.__name__}", (OperatorOnlyMixin, base), {}))


# Some libraries' admins are not offered at all. django-otp's device pages look a device up before any
# permission check (a 500 for a wrong id) and would show a user's secret: an administrator resets a
# user's second step on the user instead. django-simple-certmanager's pages fail the same way (its
# private-file fields on a missing object), and NLX is not used: Open Zaak is reached with a ZGW JWT.
NOT_OFFERED = frozenset(
    {
        ("otp_totp", "totpdevice"),
        ("otp_static", "staticdevice"),
        ("simple_certmanager", "certificate"),
        ("simple_certmanager", "signingrequest"),
        ("zgw_consumers", "nlxconfig"),
    }
)


def restrict_library_admins(site) -> None:
    """What the libraries register (groups and permissions, django-axes' login records, zgw-consumers'
    services, ...) belongs to no municipality: the operator's alone, or not offered (NOT_OFFERED).

    Called from AccountsConfig.ready(): the admin's autodiscovery has imported every app's admin module
    by then, whatever the order of INSTALLED_APPS (django.contrib.admin is listed first, and its ready()
    runs the autodiscovery).
    """
    for model in list(site._registry):
        if (model._meta.app_label, model._meta.model_name) in NOT_OFFERED:
            site.unregister(model)
        elif not model.__module__.startswith("maatwerk."):
            operator_only(site, model)
