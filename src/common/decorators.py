"""View decorators shared by the apps: what a page may be cached, indexed or referred as."""

from functools import wraps


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
