"""The organisers' pages: a login with its second factor."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from accounts import second_factor
from common.decorators import private


def verified_login_required(view):
    """A login, then the second factor: anonymous visitors go to the login page; a session
    that gave only the password, for a user who must use two-factor authentication or set
    it up, goes to the code page (or to enrolment) with this page as ``next``
    (:func:`accounts.second_factor.needs_verification`, the one rule)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if second_factor.needs_verification(request):
            return second_factor.verification_redirect(request)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def organiser_page(view):
    """For the organisers' pages: a full login first (:func:`verified_login_required`),
    and, as they show personal data or figures, :func:`private`."""
    return verified_login_required(private(view))
