"""Admin plumbing that applies the permission rule, and the admin of accounts.

``RoleScopedAdminMixin`` makes a ModelAdmin ask :func:`accounts.permissions.can` for every
view, change, addition and deletion, show only the objects the user may work on, and offer
only choices (organisers, editions, venues…) the user may work on. Users, roles and API
tokens are for superusers only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import permissions
from accounts.enums import Action
from accounts.models import ApiToken, Membership, User


class RoleScopedForm(forms.ModelForm):
    """A model form whose model validation may speak of fields it does not show.

    Fields a user may not change are read-only, so absent from the form; a model's
    ``clean()`` that blames one of them (a deadline that the new start time now contradicts)
    would make Django fail. Such errors are shown at the top of the form instead, named.
    """

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            remapped = {}
            for name, errors in error.error_dict.items():
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    label = capfirst(self._meta.model._meta.get_field(name).verbose_name)
                    errors = [
                        ValidationError(
                            _("%(field)s: %(message)s"),
                            params={"field": label, "message": message},
                        )
                        for message in ValidationError(errors).messages
                    ]
                    name = NON_FIELD_ERRORS
                remapped.setdefault(name, []).extend(errors)
            error = ValidationError(remapped)
        super().add_error(field, error)


def _with_current_values(allowed, obj, name):
    """``allowed``, plus the objects ``obj`` already points to through field ``name``.

    A choice the user may not give is still kept when it is already there: otherwise saving
    an edition co-organised with another organisation would silently drop that organisation.
    """
    current = []
    if obj is not None and obj.pk is not None:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            current = list(getattr(obj, name).values_list("pk", flat=True))
        elif getattr(obj, field.attname) is not None:
            current = [getattr(obj, field.attname)]
    return allowed.model._default_manager.filter(Q(pk__in=allowed.values("pk")) | Q(pk__in=current))


class RoleScopedAdminMixin:
    """Permissions of a ModelAdmin from :func:`accounts.permissions.can`.

    Subclasses say which action each operation needs and implement:

    - ``scope(queryset, user)``: the objects ``user`` may view;
    - ``acts_somewhere(user, action)``: whether ``user`` may do ``action`` on at least one
      object of this kind (the list, the index and the "add" link depend on it);
    - ``may_add(user)``: whether ``user`` may create one;
    - ``choice_querysets(user)``: for relation fields that give rights (an edition's
      organisers, a session's edition…), the objects ``user`` may pick.

    ``manage_fields`` are read-only for users who may not ``MANAGE`` the object.
    An object outside the user's scope answers 404, as if it did not exist.
    """

    view_action = Action.EDIT_CONTENT
    change_action = Action.EDIT_CONTENT
    delete_action = Action.EDIT_CONTENT
    manage_fields = ()
    form = RoleScopedForm
    # Addresses typed without a scheme are https ones (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def scope(self, queryset, user):
        raise NotImplementedError

    def acts_somewhere(self, user, action):
        raise NotImplementedError

    def may_add(self, user):
        raise NotImplementedError

    def choice_querysets(self, user):
        return {}

    def _may(self, request, action, obj):
        if obj is None:
            return self.acts_somewhere(request.user, action)
        return permissions.can(request.user, action, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request) or self.has_add_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, self.view_action, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.change_action, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, self.delete_action, obj)

    def has_add_permission(self, request):
        return self.may_add(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.scope(queryset, request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not permissions.can(request.user, Action.MANAGE, obj):
            readonly += [name for name in self.manage_fields if name not in readonly]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        readonly = set(self.get_readonly_fields(request, obj))
        return {
            name: sources
            for name, sources in super().get_prepopulated_fields(request, obj).items()
            if name not in readonly
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser:
            for name, allowed in self.choice_querysets(request.user).items():
                if name in form.base_fields:
                    form.base_fields[name].queryset = _with_current_values(allowed, obj, name)
        return form


class RoleScopedInlineMixin:
    """Inline objects may be worked on by whoever may change the parent object."""

    action = Action.EDIT_CONTENT

    def _may(self, request, parent):
        if parent is None:
            # The parent is being created: its own admin decided who may do that.
            return self.admin_site._registry[self.parent_model].has_add_permission(request)
        return permissions.can(request.user, self.action, parent)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)


class SuperuserOnlyMixin:
    """Only for superusers (later issues give organisers their own pages for roles)."""

    def _is_superuser(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._is_superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._is_superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._is_superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_superuser(request)

    def has_add_permission(self, request, obj=None):
        return self._is_superuser(request)


class MembershipInline(SuperuserOnlyMixin, admin.TabularInline):
    model = Membership
    fields = ("organisation", "role", "edition")
    autocomplete_fields = ("organisation", "edition")
    extra = 0


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


@admin.register(User)
class UserAdmin(SuperuserOnlyMixin, auth_admin.UserAdmin):
    add_form = UserCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Access"),
            {
                "fields": ("is_active", "is_superuser"),
                "description": _(
                    "Roles, below, give access to editions; a superuser may do everything."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_superuser")
    list_filter = ("is_active", "is_superuser")
    filter_horizontal = ()
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "edition", "created_at")
    list_filter = ("role", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__email", "organisation__name", "edition__title")
    autocomplete_fields = ("user", "organisation", "edition")
    list_select_related = ("user", "organisation", "edition")


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    """Tokens are made here or with ``ptce apitoken``; the secret is shown once, on creation."""

    list_display = ("hint", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("hint", "name", "user__username")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "hint", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        raw = None if change else obj.set_new_secret()
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(
                request,
                _("Copy this token now: it will not be shown again. %(token)s") % {"token": raw},
            )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
