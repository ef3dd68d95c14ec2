"""Rate limits: the public forms' (django-ratelimit) and the API's throttles, one rule each.

Every rate is named in ``settings.PTCE_RATES`` and read at each request, so that a setting
changed (or a test's ``settings`` fixture) applies at once. Counting is django-ratelimit's in
both cases: a fixed window per period, kept in Django's cache (Redis when ``REDIS_URL`` is
set, where the increment is atomic), and the client's address is ``ptce.views.client_ip``
(``RATELIMIT_IP_META_KEY``), the one rule that knows about our proxy.
"""

import threading

from django.conf import settings
from django_ratelimit.core import get_usage, is_ratelimited
from ninja.throttling import BaseThrottle

from ptce.views import client_ip


def rate(name):
    """A django-ratelimit rate callable for ``PTCE_RATES[name]``, read at each request:
    ``@ratelimit(key="ip", rate=rate("login_ip"), ...)``."""

    def current(group, request):
        return settings.PTCE_RATES[name]

    current.__qualname__ = f"rate({name!r})"
    return current


def over_rate(request, name, *, key="ip"):
    """Count this submission of a public form against ``PTCE_RATES[name]``; True when it is
    beyond the limit (answer :func:`ptce.views.rate_limited`, change nothing).

    ``key`` is django-ratelimit's: ``"ip"`` (the client's address) by default, or a callable
    ``(group, request) -> str`` (e.g. the email typed). ``PTCE_PUBLIC_FORM_RATELIMITS`` off
    (a load test) lets everything through.
    """
    if not settings.PTCE_PUBLIC_FORM_RATELIMITS:
        return False
    return is_ratelimited(request, group=name, key=key, rate=rate(name), increment=True)


# The API --------------------------------------------------------------------------------------


def _client(request):
    """Who is calling, once authenticated: the token, else the session's user; None if nobody."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token-{token.pk}"
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "pk", None) is not None:
        return f"user-{auth.pk}"
    return None


class ApiThrottle(BaseThrottle):
    """A throttle of the API by ``PTCE_RATES[name]``, per client address for anonymous calls
    (``per="address"``) or per token / session for authenticated ones (``per="client"``).

    ninja keeps one throttle object per operation and calls ``allow_request`` then ``wait``
    from whichever thread serves the request: nothing of a request is kept on the object
    but the wait, which is per thread.
    """

    def __init__(self, name, *, per):
        if per not in {"address", "client"}:
            raise ValueError(f"per must be 'address' or 'client', not {per!r}")
        self.name = name
        self.per = per
        self._local = threading.local()

    def ident(self, request):
        client = _client(request)
        if self.per == "client":
            return client
        return client_ip(request) if client is None else None

    def allow_request(self, request):
        self._local.wait = None
        ident = self.ident(request)
        if ident is None:
            return True
        usage = get_usage(
            request,
            group=f"api-{self.name}",
            key=lambda group, request: ident,
            rate=rate(self.name),
            increment=True,
        )
        if usage is None:
            return True
        if usage["should_limit"]:
            # Whole seconds until the window ends (at least one): the Retry-After header.
            self._local.wait = max(int(usage["time_left"]), 1)
            return False
        return True

    def wait(self):
        return getattr(self._local, "wait", None)


#: The API's default throttles (``NinjaAPI(throttle=...)``).
API_THROTTLES = [
    ApiThrottle("api_anonymous", per="address"),
    ApiThrottle("api_token", per="client"),
]
#: The door devices' endpoints (scan, offline download): their own, higher limit.
CHECKIN_THROTTLES = [
    ApiThrottle("api_anonymous", per="address"),
    ApiThrottle("api_checkin", per="client"),
]


def failed_authentication_wait(request):
    """Count a call refused for want of valid credentials against its address's anonymous
    limit (ninja checks throttles only once authentication succeeded), so that guessing
    tokens from one address meets the same limit as anonymous calls. Returns the seconds to
    wait when beyond it, else None."""
    throttle = ApiThrottle("api_anonymous", per="address")
    return None if throttle.allow_request(request) else throttle.wait()
