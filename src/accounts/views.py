"""Logging in and out of the site (the admin sends its visitors here too)."""

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django_ratelimit.decorators import ratelimit

from ptce.views import rate_limited

#: Login attempts allowed per client address, and per username whatever the address.
LOGIN_RATE_PER_IP = "10/m"
LOGIN_RATE_PER_USERNAME = "5/m"


def username_key(group, request):
    """The rate-limit key for the username tried, case and spaces aside."""
    return request.POST.get("username", "").strip().casefold()


@method_decorator(
    ratelimit(group="login-ip", key="ip", rate=LOGIN_RATE_PER_IP, method="POST", block=False),
    name="post",
)
@method_decorator(
    ratelimit(
        group="login-username",
        key=username_key,
        rate=LOGIN_RATE_PER_USERNAME,
        method="POST",
        block=False,
    ),
    name="post",
)
class LoginView(auth_views.LoginView):
    """The login page. Attempts are rate limited by address and by username: beyond the
    limits the answer is the 429 page and the credentials are not even checked."""

    template_name = "accounts/login.html"
    extra_context = {"meta_title": _("Log in")}

    def post(self, request, *args, **kwargs):
        if getattr(request, "limited", False):
            return rate_limited(request)
        return super().post(request, *args, **kwargs)
