"""View decorators shared by the apps."""

from functools import wraps

from django.contrib.auth.decorators import login_required


def private(view):
    """For pages that show personal data or carry a secret in their address: kept by no
    cache, the browser's included, and never indexed."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def secret_address(view=None, *, referrer="no-referrer"):
    """For pages whose address is a secret: not cached, not indexed, not in a Referer.

    A page with a form says ``same-origin`` instead of ``no-referrer``: under
    ``no-referrer`` browsers post the form with ``Origin: null``, which the CSRF check
    rightly refuses. ``same-origin`` still never sends the address to another site.
    """

    def decorator(view):
        @wraps(view)
        @private
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response["Referrer-Policy"] = referrer
            return response

        return wrapped

    return decorator(view) if view is not None else decorator


def verified_login_required(view):
    """A login, then the second factor: anonymous visitors go to the login page; a session
    that gave only the password, for a user who must use two-factor authentication or set
    it up, goes to the code page (or to enrolment) with this page as ``next``
    (:func:`accounts.second_factor.needs_verification`, the one rule)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        from accounts import second_factor

        if second_factor.needs_verification(request):
            return second_factor.verification_redirect(request)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def organiser_page(view):
    """For the organisers' pages: a full login first (:func:`verified_login_required`),
    and, as they show personal data or figures, :func:`private`."""
    return verified_login_required(private(view))
