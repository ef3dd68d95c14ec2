"""Rate limits: the public forms' (django-ratelimit) and the API's throttles, one rule each.

Every rate is named in ``settings.PTCE_RATES`` and read at each request, so that a setting
changed (or a test's ``settings`` fixture) applies at once. Counting is django-ratelimit's in
both cases: a fixed window per period, kept in Django's cache (Redis when ``REDIS_URL`` is
set, where the increment is atomic), and the client's address is ``common.errors.client_ip``
(``RATELIMIT_IP_META_KEY``), the one rule that knows about our proxy.

A refusal (:class:`Limited`) knows the real wait, to the end of its window: the public forms
come back with what was typed and that wait as their error, other pages answer the 429 page
(:func:`common.errors.rate_limited`), both with ``Retry-After``; so does the API.
"""

import threading
from dataclasses import dataclass

from django.conf import settings
from django_ratelimit.core import get_usage
from ninja.throttling import BaseThrottle

from common.errors import client_ip, too_many_attempts


def rate(name):
    """A django-ratelimit rate callable for ``PTCE_RATES[name]``, read at each request:
    ``@ratelimit(key="ip", rate=rate("login_ip"), ...)``."""

    def current(group, request):
        return settings.PTCE_RATES[name]

    current.__qualname__ = f"rate({name!r})"
    return current


@dataclass(frozen=True)
class Limited:
    """A request refused by a rate limit: the whole seconds until its window ends (None when
    the counter could not be read), and whether the limit counts per client address."""

    wait: int | None
    per_address: bool = True

    @property
    def message(self):
        """What the visitor reads, in the request's language, as a form's error or on the 429
        page: "Too many attempts from your connection. Try again in 42 minutes."."""
        return too_many_attempts(self.wait, per_address=self.per_address)

    def answer(self, response):
        """``response`` (a form shown again, say) as this refusal: status 429, Retry-After."""
        response.status_code = 429
        if self.wait is not None:
            response["Retry-After"] = str(self.wait)
        return response


def _wait(usage):
    # The window's last second is ``time_left`` from now, and it still counts: the next
    # window starts one second later. A failed cache read says -1: unknown.
    return None if usage["time_left"] < 0 else usage["time_left"] + 1


def over_limit(request, name, *, key="ip", group=None, increment=True):
    """Count this request against ``PTCE_RATES[name]`` (in ``group``, by default the rate's
    name); a :class:`Limited` when it is beyond the limit, else None.

    ``key`` is django-ratelimit's: ``"ip"`` (the client's address) by default, ``"user"``, or
    a callable ``(group, request) -> str`` (e.g. the email typed). With ``increment=False``
    nothing is counted, and the request is refused once the limit is *reached*: it would be
    the one beyond it.
    """
    usage = get_usage(request, group=group or name, key=key, rate=rate(name), increment=increment)
    if usage is None:
        return None
    beyond = usage["count"] > usage["limit"] if increment else usage["count"] >= usage["limit"]
    return Limited(_wait(usage), per_address=key == "ip") if beyond else None


def longest(*refusals):
    """The refusal with the longest wait among those given (None for the limits that let
    the request through): what to tell of a request counted against several limits."""
    refused = [limited for limited in refusals if limited is not None]
    return max(refused, key=lambda limited: limited.wait or 0, default=None)


def over_rate(request, name, *, key="ip"):
    """Count this submission of a public form against ``PTCE_RATES[name]``; a
    :class:`Limited` when it is beyond the limit (show the form again with its message, or
    answer :func:`common.errors.rate_limited`; change nothing), else None.

    ``PTCE_PUBLIC_FORM_RATELIMITS`` off (a load test) lets everything through.
    """
    if not settings.PTCE_PUBLIC_FORM_RATELIMITS:
        return None
    return over_limit(request, name, key=key)


def validate_submission(request, name, is_valid, *, failures):
    """Validate a public form whose submissions cost something (emails, seats) within its
    limits: only the valid ones count against ``PTCE_RATES[name]``, the invalid ones against
    the larger ``PTCE_RATES[failures]``, so that typing errors do not use up an honest
    visitor's attempts. ``is_valid``: the form's, called once.

    Returns ``(valid, limited)``. ``limited`` is a :class:`Limited` when the submission is
    refused (show the form again with its message, status 429): either limit was already
    reached (the form is then not even validated), this invalid submission is beyond
    ``failures``, or this valid one is beyond ``name`` (submissions at the same moment passed
    the first check together). Otherwise it is None and ``valid`` is what ``is_valid`` said.
    """
    if not settings.PTCE_PUBLIC_FORM_RATELIMITS:
        return is_valid(), None
    reached = over_limit(request, name, increment=False) or over_limit(
        request, failures, increment=False
    )
    if reached:
        return False, reached
    if not is_valid():
        return False, over_limit(request, failures)
    return True, over_limit(request, name)


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
            # Whole seconds until the window ends: the Retry-After header.
            self._local.wait = _wait(usage)
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
#: Short ticket codes typed at the door: few per agent, as each is a guess.
TICKET_CODE_THROTTLES = [*CHECKIN_THROTTLES, ApiThrottle("api_ticket_code", per="client")]


def failed_authentication_limit(request):
    """Count a call refused for want of valid credentials against its address's anonymous
    limit (ninja checks throttles only once authentication succeeded), so that guessing
    tokens from one address meets the same limit as anonymous calls. A :class:`Limited`
    when beyond it, else None."""
    throttle = ApiThrottle("api_anonymous", per="address")
    return None if throttle.allow_request(request) else Limited(throttle.wait())
