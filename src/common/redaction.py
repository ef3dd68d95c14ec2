"""Keeping secrets and personal data out of the logs.

Manage links, tickets, receipts, invitations and password resets carry a secret in their
path, and some query strings an email address (``?email=`` of the lost-link form) or a code.
A log line names a request by its path with those secrets masked (:func:`mask_path`), never
by its query string nor its referrer. One rule, used by Django's request loggers (the
:class:`MaskSecrets` filter in ``LOGGING``), gunicorn's access log (:class:`AccessLogger`,
started so by ``ptce serve``) and the error reports sent to Sentry (``ptce.sentry``).
"""

import logging
import re

from django.urls import Resolver404, resolve
from gunicorn.glogging import Logger

#: URL parameters that are secrets: signed links' tokens, invitation codes, reset links.
SECRET_PARAMETERS = {"token", "code", "uidb64"}
MASK = "[secret]"
# What a signed value looks like (Django's signing joins value and signature with ":"), for
# an address no route knows.
_SIGNED = re.compile(r"[^/]*:[^/]{20,}")


def mask_path(path):
    """``path`` without its query string, and with every secret segment replaced by
    ``[secret]``: ``/inscription/ab12…:Xy…/annuler/`` → ``/inscription/[secret]/annuler/``."""
    path = str(path).split("?", 1)[0]
    try:
        match = resolve(path)
    except Resolver404:
        return _SIGNED.sub(MASK, path)
    except Exception:
        # Logging must never fail because a path is odd (not a valid URL at all).
        return MASK
    for name, value in match.kwargs.items():
        if name in SECRET_PARAMETERS and value:
            path = path.replace(str(value), MASK)
    return _SIGNED.sub(MASK, path)


class MaskSecrets(logging.Filter):
    """Masks the request path in the records of Django's request loggers ("Not Found:
    /inscription/<token>/" and the like, which name ``request.path`` as an argument)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            record.args = tuple(
                mask_path(arg) if isinstance(arg, str) and arg == path else arg
                for arg in record.args
            )
        return True


class AccessLogger(Logger):
    """gunicorn's logger, whose access log knows only these fields: the client's address,
    the time, the method, the path with its secrets masked (no query string), the status,
    the size, the duration and the user agent; no referrer, no other header."""

    #: ``--access-logformat`` of ``ptce serve``.
    FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms "%(a)s"'

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = mask_path(environ.get("PATH_INFO", ""))
        safe = {key: atoms[key] for key in ("h", "t", "m", "s", "b", "B", "a", "T", "D", "M")}
        return {
            **safe,
            "l": "-",
            "u": "-",
            "U": path,
            "r": f"{atoms['m']} {path} {atoms['H']}",
            "q": "",
            "f": "-",
            "H": atoms["H"],
            "L": atoms["L"],
            "p": atoms["p"],
        }
