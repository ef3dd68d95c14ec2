"""View decorators shared by the apps: who may open a page, and how it may be cached, indexed
or referred to."""

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
    it up, goes to the code page (or to enrolment) with this page as ``next``.

    The second factor is the accounts app's (:class:`accounts.middleware.SecondFactorMiddleware`
    reads the mark this puts on the view, as Django's CSRF middleware reads ``csrf_exempt``'s).
    """
    wrapped = login_required(view)
    wrapped.second_factor_required = True
    return wrapped


def organiser_page(view):
    """For the organisers' pages: a full login first (:func:`verified_login_required`),
    and, as they show personal data or figures, :func:`private`."""
    return verified_login_required(private(view))
