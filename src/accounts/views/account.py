"""Pages of one's own account: signing in with two factors, the password, the recovery codes;
the password reset by email."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from accounts import audit, second_factor
from accounts.enums import AuditAction
from accounts.forms import CodeForm, EnrolForm, PasswordConfirmForm, PasswordResetForm
from common.decorators import private, verified_login_required
from common.errors import rate_limited
from common.ratelimits import longest, over_limit

# Logging in and out (the admin sends its visitors here too), with the second factor; the
# account page, the two-factor settings and the password pages.
#
# Logging in takes two steps for a user with an authenticator: the password
# (:class:`LoginView`), then a code (:func:`login_code`); only then is the user logged in.
# A user who must use two-factor authentication and has no authenticator yet is logged in
# after the password and sent to enrolment (:func:`two_factor`), which every guarded page
# requires first (``common.decorators.organiser_page``). Changing the two-factor settings needs
# the password given in the last minutes (at login, or again on :func:`reauthenticate`).


def username_key(group, request):
    """The rate-limit key for the username tried, case and spaces aside."""
    return request.POST.get("username", "").strip().casefold()


def _safe_next(request, target):
    """``target`` if it is an address of this site, else ``""``. A relative address must
    start with a slash: ``redirect`` would take anything else for the name of a view."""
    if target.startswith(("/", "http://", "https://")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _next_of(request):
    return _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))


class LoginView(auth_views.LoginView):
    """The login page. Attempts are rate limited by address and by username: beyond the
    limits the answer is the 429 page and the credentials are not even checked.

    The right password of a user with an authenticator logs nobody in: the session waits
    for the code (:func:`login_code`). Others are logged in; those who must use two-factor
    authentication go to enrolment first."""

    template_name = "accounts/login.html"
    extra_context = {"meta_title": gettext_lazy("Log in")}

    def post(self, request, *args, **kwargs):
        limited = longest(
            over_limit(request, "login_ip", group="login-ip"),
            over_limit(request, "login_username", group="login-username", key=username_key),
        )
        if limited:
            return rate_limited(request, limited=limited)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.has_device(user):
            second_factor.start_login(self.request, user, self.get_redirect_url())
            return redirect("accounts:login_code")
        response = super().form_valid(form)
        second_factor.note_authentication(self.request)
        if second_factor.is_required(user):
            return redirect_to_login(self.get_success_url(), reverse("accounts:two_factor"))
        return response


def _code_rate_limited(request, user):
    return longest(
        over_limit(request, "otp", group="otp-user", key=lambda group, request: str(user.pk)),
        over_limit(request, "otp", group="otp-ip"),
    )


@private
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The login's second step: the code of the authenticator app, or a recovery code.

    For the session waiting after the password (5 minutes), or for a session logged in
    without the second factor (one from before the user set it up). Attempts are limited
    per user and per address (the 429 page; the code is not even checked)."""
    pending = second_factor.pending_login(request)
    if pending is not None:
        user, next_url = pending
    elif second_factor.needs_verification(request):
        if not second_factor.has_device(request.user):
            return redirect_to_login(_next_of(request), reverse("accounts:two_factor"))
        user, next_url = request.user, _next_of(request)
    elif request.user.is_authenticated:
        return redirect(_next_of(request) or settings.LOGIN_REDIRECT_URL)
    else:
        messages.error(request, _("Your login has expired: give your password again."))
        return redirect("accounts:login")

    form = CodeForm(check=partial(second_factor.verify, user))
    if request.method == "POST":
        if limited := _code_rate_limited(request, user):
            return rate_limited(request, limited=limited)
        form = CodeForm(request.POST, check=partial(second_factor.verify, user))
        if form.is_valid():
            second_factor.finish_login(request, user, form.device)
            return redirect(_safe_next(request, next_url) or settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "accounts/login_code.html",
        {"form": form, "next": next_url, "meta_title": _("Two-factor authentication")},
    )


def _needs_recent_password(request):
    """The password page, to come back here, unless it was given in the last minutes."""
    if second_factor.recently_authenticated(request):
        return None
    return redirect_to_login(request.get_full_path(), reverse("accounts:reauthenticate"))


@login_required
@private
@require_http_methods(["GET", "POST"])
def reauthenticate(request):
    """The password again, before a change to the two-factor settings (limited per user)."""
    next_url = _next_of(request) or reverse("accounts:two_factor")
    form = PasswordConfirmForm(user=request.user)
    if request.method == "POST":
        limited = over_limit(request, "login_username", group="reauthenticate", key="user")
        if limited:
            return rate_limited(request, limited=limited)
        form = PasswordConfirmForm(request.POST, user=request.user)
        if form.is_valid():
            second_factor.note_authentication(request)
            return redirect(next_url)
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "next": next_url, "meta_title": _("Confirm your password")},
    )


@login_required
@private
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Two-factor authentication: set up an authenticator (its secret as a QR code and as
    text, confirmed by one code), then see, regenerate or switch off the recovery codes,
    replace the authenticator, or (when not required) switch 2FA off.

    A session that has an authenticator but did not pass it goes to the code page first:
    the password alone changes nothing here."""
    user = request.user
    if second_factor.has_device(user) and not user.is_verified():
        return second_factor.verification_redirect(request)
    confirmed = second_factor.confirmed_device(user)
    pending = second_factor.pending_device(user)
    setting_up = confirmed is None or pending is not None
    reauth = _needs_recent_password(request)
    if (request.method == "POST" or setting_up) and reauth is not None:
        return reauth
    next_url = _next_of(request)
    here = reverse("accounts:two_factor") + (
        f"?{urlencode({'next': next_url})}" if next_url else ""
    )

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "replace" and confirmed is not None:
            second_factor.start_enrolment(user)
            return redirect(here)
        if action == "cancel" and confirmed is not None:
            second_factor.cancel_enrolment(user)
            return redirect(here)
        if action == "regenerate" and confirmed is not None:
            codes = second_factor.regenerate_recovery_codes(user)
            return _show_codes(request, codes, next_url)
        if action == "remove" and confirmed is not None and second_factor.may_remove(user):
            second_factor.remove(user)
            messages.success(request, _("Two-factor authentication is switched off."))
            return redirect("accounts:account")
        if action == "confirm" and setting_up:
            device = second_factor.start_enrolment(user)
            result = {}

            def check(code):
                done = second_factor.confirm_enrolment(user, device, code)
                if done is not None:
                    result["codes"] = done[1]
                    return done[0]
                return None

            form = EnrolForm(request.POST, check=check)
            if form.is_valid():
                request.session.cycle_key()
                otp_login(request, form.device)
                messages.success(request, _("Two-factor authentication is set up."))
                return _show_codes(request, result["codes"], next_url)
            return _enrol_page(request, user, device, form, confirmed, next_url)
        return redirect(here)

    if setting_up:
        device = second_factor.start_enrolment(user)
        return _enrol_page(request, user, device, EnrolForm(), confirmed, next_url)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "meta_title": _("Two-factor authentication"),
            "device": confirmed,
            "codes_left": second_factor.recovery_codes_left(user),
            "may_remove": second_factor.may_remove(user),
            "required": second_factor.is_required(user),
            "next": next_url,
        },
    )


def _enrol_page(request, user, device, form, replacing, next_url):
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "meta_title": _("Set up two-factor authentication"),
            "form": form,
            "qr": second_factor.qr_data_uri(device),
            "secret": second_factor.secret_of(device),
            "replacing": replacing is not None,
            "required": second_factor.is_required(user),
            "next": next_url,
        },
    )


_NEW_CODES = "accounts_new_recovery_codes"


def _show_codes(request, codes, next_url):
    """The new recovery codes go to the page that shows them once (through the session, so
    that reloading the page does not show them again)."""
    request.session[_NEW_CODES] = {"codes": codes, "next": next_url}
    return redirect("accounts:recovery_codes")


@login_required
@private
@require_http_methods(["GET"])
def recovery_codes(request):
    """The recovery codes just made, shown this once."""
    data = request.session.pop(_NEW_CODES, None)
    if not isinstance(data, dict):
        return redirect("accounts:two_factor")
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "meta_title": _("Your recovery codes"),
            "codes": data["codes"],
            "next": _safe_next(request, data.get("next", "")),
        },
    )


@verified_login_required
@private
@require_http_methods(["GET"])
def account(request):
    """The user's account: who they are, their roles, links to the password and 2FA."""
    user = request.user
    memberships = user.memberships.select_related("organisation", "edition").order_by(
        "organisation__name", "role", "edition__date"
    )
    return render(
        request,
        "accounts/account.html",
        {
            "meta_title": _("Your account"),
            "memberships": memberships,
            "has_device": second_factor.has_device(user),
            "required": second_factor.is_required(user),
            "codes_left": second_factor.recovery_codes_left(user),
        },
    )


@method_decorator([verified_login_required, private], name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")
    extra_context = {"meta_title": gettext_lazy("Change your password")}

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(self.request.user, AuditAction.ACCOUNT, gettext_lazy("Password changed"))
        messages.success(self.request, _("Your password is changed."))
        return response


def _email_key(group, request):
    return request.POST.get("email", "").strip().casefold()


class PasswordResetView(auth_views.PasswordResetView):
    """“Forgot your password?”: the same answer whatever the address; an email (through the
    outbox) for each active account that has it. Limited per address and per email typed."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"meta_title": gettext_lazy("Forgot your password?")}

    def post(self, request, *args, **kwargs):
        limited = longest(
            over_limit(request, "password_reset", group="password_reset-ip"),
            over_limit(request, "password_reset", group="password_reset-email", key=_email_key),
        )
        if limited:
            return rate_limited(request, limited=limited)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"meta_title": gettext_lazy("Check your email")}


@method_decorator(private, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The emailed link: choose a new password. The link dies once used (the token depends
    on the password) or after ``PASSWORD_RESET_TIMEOUT``. It logs nobody in, and leaves the
    two-factor authentication as it was."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"meta_title": gettext_lazy("Choose a new password")}

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(form.user, AuditAction.ACCOUNT, gettext_lazy("Password reset by email"))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"meta_title": gettext_lazy("Password changed")}
