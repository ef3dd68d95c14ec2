"""View decorators shared by the apps."""

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
