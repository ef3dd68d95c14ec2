"""The admin site: French by default, behind the site's own login page, open by role.

``PtceAdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS`` so that
``admin.site`` (and ``@admin.register``) is :class:`PtceAdminSite`. This module is imported
while apps load, before models may be: what imports models is imported inside the methods.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache


class PtceAdminSite(admin.AdminSite):
    """Open to active superusers and to users with an organiser or editor role.

    Whoever may not open it is sent to the site's login page (``accounts:login``), which
    tells an already logged-in user that this account may not open the page.
    """

    site_header = _("Journées PTCE — administration")
    site_title = _("Journées PTCE administration")
    index_title = _("Editions, programme and organisations")

    def has_permission(self, request):
        from accounts import second_factor
        from accounts.permissions import can_open_admin

        return can_open_admin(request.user) and not second_factor.needs_verification(request)

    def admin_view(self, view, cacheable=False):
        from django.contrib.auth.views import redirect_to_login

        from accounts import second_factor

        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if second_factor.needs_verification(request):
                # The password alone opens nothing: the second factor (or enrolment) first.
                return second_factor.verification_redirect(request)
            if not self.has_permission(request):
                # Straight to our login page rather than through the admin's own.
                return redirect_to_login(request.get_full_path())
            return guarded(request, *args, **kwargs)

        if not cacheable:
            inner = never_cache(inner)
        return update_wrapper(inner, guarded)

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        from django.contrib.auth.views import redirect_to_login

        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = index
        if self.has_permission(request):
            return HttpResponseRedirect(target)
        from accounts import second_factor

        if second_factor.needs_verification(request):
            return second_factor.verification_redirect(request)
        return redirect_to_login(target)

    def logout(self, request, extra_context=None):
        from django.contrib.auth.views import LogoutView

        return LogoutView.as_view()(request)


class PtceAdminConfig(AdminConfig):
    default_site = "ptce.admin.PtceAdminSite"
