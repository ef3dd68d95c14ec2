"""The admin of accounts: users, roles and API tokens, for superusers only.

The whole admin site is for superusers (``accounts.permissions.can_open_admin``):
organisers and editors work in the organisers' area. ``SuperuserOnlyMixin`` says so again
on each ModelAdmin, so that a model admin never opens wider than the site.
"""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ApiToken, Membership, User
from common.names import NameField


class SuperuserOnlyMixin:
    """Only for superusers."""

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


def _name_field(name):
    return NameField(label=capfirst(User._meta.get_field(name).verbose_name), required=False)


class UserChangeForm(auth_admin.UserChangeForm):
    """A person's names follow the one rule of :mod:`common.names`; names stored before it are
    kept as they are unless changed."""

    first_name = _name_field("first_name")
    last_name = _name_field("last_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].accept(getattr(self.instance, name))


@admin.register(User)
class UserAdmin(SuperuserOnlyMixin, auth_admin.UserAdmin):
    add_form = UserCreationForm
    form = UserChangeForm
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
