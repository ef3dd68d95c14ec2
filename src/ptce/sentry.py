"""Error reports to a Sentry-compatible service (``SENTRY_DSN``), without personal data.

Off unless ``SENTRY_DSN`` is set. What leaves the machine: the exception's type, message and
stack (file, line, function; no local variables), the request's method and path (secrets
masked, no query string, no body, no cookies, only harmless headers), the logger's message,
the environment (``SENTRY_ENVIRONMENT``) and release (``SENTRY_RELEASE``). No user, no
address. Any remaining text that looks like an email address or a signed token is replaced.
Performance traces are off unless ``SENTRY_TRACES_SAMPLE_RATE`` is above 0; they are
scrubbed the same way.
"""

import re

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from common.redaction import mask_path

FILTERED = "[Filtered]"
#: Request headers worth keeping: they say what the client asked for, not who it is.
SAFE_HEADERS = {"accept", "accept-language", "content-length", "content-type", "user-agent"}
_EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[^\s@<>\"'(),;:]+")
# Signed values (Django's signing: value:signature), API tokens, ticket tokens.
_TOKEN = re.compile(
    r"[\w-]{8,}:[\w-]{20,}(?::[\w-]{20,})?|\bptce_[\w-]{16,}|\bP1[A-Za-z0-9_-]{100,}"
)


def init(dsn, *, environment="production", release=None, traces_sample_rate=0.0):
    """Start reporting to ``dsn``; called by the settings when ``SENTRY_DSN`` is set."""
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=environment,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


def scrub_text(text):
    return _TOKEN.sub(FILTERED, _EMAIL.sub(FILTERED, text))


def scrub(value):
    """``value`` (an event or any part of it) with every string scrubbed, recursively."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


def scrub_event(event, hint=None):
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": _masked_url(request.get("url") or ""),
            "headers": {
                name: value for name, value in headers.items() if name.lower() in SAFE_HEADERS
            },
        }
    event.pop("user", None)
    event.pop("server_name", None)
    if isinstance(event.get("transaction"), str):
        event["transaction"] = mask_path(event["transaction"])
    return scrub(event)


def scrub_breadcrumb(crumb, hint=None):
    # SQL breadcrumbs may carry parameters; HTTP ones the full URL: keep only the what.
    crumb.pop("data", None)
    return scrub(crumb)


def _masked_url(url):
    scheme, _, rest = url.partition("://")
    if not rest:
        return mask_path(url)
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host}{mask_path(slash + path)}"
