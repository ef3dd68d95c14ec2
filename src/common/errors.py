"""Error answers, for every app: the error pages (JSON with a stable code under /api/, an HTML
page in the visitor's language elsewhere), the rate-limit answer and its words, and the
client's address that rate limits count by."""

import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def is_api(request):
    return request.path.startswith("/api/")


def _error(request, template, status, code, message, context=None):
    if is_api(request):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, template, context, status=status)


def bad_request(request, exception=None, *, message=None):
    """400, with ``message`` saying what was wrong when it is known. A body beyond Django's
    limit (``RequestDataTooBig``, sent without a length) is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return payload_too_large(request)
    return _error(
        request,
        "400.html",
        400,
        "bad_request",
        message or _("The request could not be understood."),
        {"message": message},
    )


def payload_too_large(request):
    return _error(
        request,
        "413.html",
        413,
        "payload_too_large",
        _("What was sent is too large: send a smaller file or less text."),
    )


def uri_too_long(request):
    return _error(
        request,
        "414.html",
        414,
        "uri_too_long",
        _("This address is too long: check it, or start again from the home page."),
    )


def unstorable_message(code_point):
    """Why a request holding a character no database stores (:mod:`common.unstorable`) was
    refused; ``code_point`` names the character (``U+0000``)."""
    return _(
        "The address or the form holds an invisible character (%(character)s) that cannot be "
        "stored: remove it and try again."
    ) % {"character": code_point}


def permission_denied(request, exception=None):
    return _error(request, "403.html", 403, "forbidden", _("You are not allowed to do this."))


def page_not_found(request, exception=None):
    return _error(request, "404.html", 404, "not_found", _("Nothing was found at this address."))


def server_error(request):
    message = _("Something went wrong on our side. Please try again in a few minutes.")
    if is_api(request):
        return JsonResponse({"code": "server_error", "message": message}, status=500)
    # No request context: the context processors could touch the database or the session,
    # which may be what just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    return _error(
        request,
        "403_csrf.html",
        403,
        "csrf_failed",
        _("The form had expired. Reload the page and try again."),
    )


def rate_limited(request, exception=None, *, limited=None):
    """The answer beyond a rate limit: the 429 page (JSON under /api/) saying when to try
    again, with ``Retry-After``. ``limited``: the :class:`common.ratelimits.Limited` refusal;
    without it (``RATELIMIT_VIEW``, for django-ratelimit's decorator), the wait is unknown."""
    wait = limited.wait if limited is not None else None
    if is_api(request):
        response = JsonResponse(
            {"code": "rate_limited", "message": too_many_requests(wait)}, status=429
        )
    else:
        per_address = limited is not None and limited.per_address
        message = too_many_attempts(wait, per_address=per_address)
        response = render(request, "429.html", {"message": message}, status=429)
    return limited.answer(response) if limited is not None else response


def wait_in_words(seconds):
    """A wait in words: "42 seconds" under a minute, else minutes rounded up (never less
    than the real wait), and hours and minutes beyond an hour: "1 hour and 5 minutes"."""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    hours, minutes = divmod(math.ceil(seconds / 60), 60)
    in_minutes = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if not hours:
        return in_minutes
    in_hours = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    if not minutes:
        return in_hours
    return _("%(hours)s and %(minutes)s") % {"hours": in_hours, "minutes": in_minutes}


def _try_again(wait):
    if wait is None:
        return _("Try again later.")
    return _("Try again in %(wait)s.") % {"wait": wait_in_words(wait)}


def too_many_attempts(wait, *, per_address):
    """What a visitor beyond a rate limit reads (a form's error, the 429 page): why, and when
    to try again (``wait`` in seconds, None when unknown)."""
    if per_address:
        reason = _("Too many attempts from your connection.")
    else:
        reason = _("Too many attempts.")
    return f"{reason} {_try_again(wait)}"


def too_many_requests(wait):
    """The API's message beyond a rate limit (code ``rate_limited``)."""
    return f"{_('Too many requests.')} {_try_again(wait)}"


def client_ip(request):
    """The client's address for rate limits: REMOTE_ADDR, or the proxy's X-Forwarded-For."""
    if settings.HTTPS:
        # Behind our proxy, the last address it appended is the one it saw.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
