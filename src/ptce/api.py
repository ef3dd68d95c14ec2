"""The JSON API, version 1: one schema, each app's router mounted under /api/v1/.

Every error is JSON ``{"code": ..., "message": ...}`` (plus ``errors`` for invalid
parameters): the code is stable, the message is in the request's language. The handlers below
turn exceptions into those answers; an unexpected exception is logged and answered with
``server_error``, never with a traceback, whatever ``DEBUG`` says.
"""

import logging
import math
from http import HTTPStatus

from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from pydantic.json_schema import models_json_schema

from accounts.views.api import router as accounts_router
from admission.views.api import router as admission_router
from charter.views.api import router as charter_router
from common import unstorable
from common.api import ApiError, ErrorOut, ValidationErrorOut
from common.errors import payload_too_large, too_many_requests
from common.ratelimits import API_THROTTLES, failed_authentication_limit
from events.views.api import router as events_router
from network.views.api import router as network_router
from registrations.views.api import router as registrations_router

logger = logging.getLogger(__name__)

#: Answers the handlers below may give to any operation, whatever the endpoint declares.
COMMON_RESPONSES = {
    "400": ("The body could not be read (not JSON, or not UTF-8).", "ErrorOut"),
    "413": ("The body is too large.", "ErrorOut"),
    "414": ("The address (path and query string) is too long.", "ErrorOut"),
    "401": ("Authentication required: no valid API token.", "ErrorOut"),
    "422": ("Some parameters are not valid: see `errors`.", "ValidationErrorOut"),
    "429": ("Too many requests: wait the seconds of `Retry-After`.", "ErrorOut"),
}


class Api(NinjaAPI):
    """The API, whose schema also declares the errors its handlers answer for every
    operation: 429 (throttles), 401 where a token is needed, 422 where there are parameters
    and 400 and 413 where there is a body, 414 where there are parameters, each with its JSON
    error schema."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        _, definitions = models_json_schema(
            [(ErrorOut, "serialization"), (ValidationErrorOut, "serialization")],
            ref_template="#/components/schemas/{model}",
        )
        for name, definition in definitions["$defs"].items():
            components.setdefault(name, definition)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                declared = {str(code) for code in responses}
                for code in _common_codes(operation):
                    if code not in declared:
                        responses[int(code)] = _error_response(code)
                operation["responses"] = dict(sorted(responses.items(), key=lambda i: int(i[0])))
        return schema


def _error_response(code):
    description, model = COMMON_RESPONSES[code]
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
    }
    if code == "429":
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer"},
            }
        }
    return response


def _common_codes(operation):
    yield "429"
    if operation.get("security"):
        yield "401"
    if operation.get("requestBody") or any(
        _may_be_invalid(parameter) for parameter in operation.get("parameters", [])
    ):
        yield "422"
    if operation.get("requestBody"):
        yield "400"
        yield "413"
    if operation.get("parameters"):
        yield "414"


def _may_be_invalid(parameter):
    """Whether a parameter can fail validation: any query parameter, a path one that is not
    a plain string (a path string is whatever the address holds)."""
    return parameter.get("in") != "path" or parameter.get("schema", {}).get("type") != "string"


class UnstorableInput(Exception):
    """A parameter or body field holding a character no database stores
    (:mod:`common.unstorable`); ``location`` says which, as in a 422's ``loc``."""

    def __init__(self, location, code_point):
        super().__init__(location)
        self.location = location
        self.code_point = code_point


class InputParser(Parser):
    """ninja's JSON and query parsing, refusing characters no database stores: the API's
    one place for them (the site's is ``common.middleware.refuse_unstorable_input``)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        _refuse_unstorable(data, "body")
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        _refuse_unstorable(parsed, "query" if data is request.GET else "form")
        return parsed


def _refuse_unstorable(data, where):
    if (found := unstorable.find(data)) is not None:
        location, code_point = found
        raise UnstorableInput((where, *location), code_point)


api = Api(
    title="Journées PTCE",
    version="1",
    description=(
        "Public editions of the Journée nationale des PTCE, with their venue and programme. "
        'Errors are JSON: `{"code": "not_found", "message": "…"}`; the code is stable, '
        "the message follows the request's Accept-Language (French by default)."
    ),
    urls_namespace="api",
    # Per address for anonymous calls, per token for the others (PTCE_RATES); the door
    # devices' endpoints set their own.
    throttle=API_THROTTLES,
    parser=InputParser(),
)
api.add_router("", events_router)
api.add_router("", accounts_router)
api.add_router("", network_router)
api.add_router("", registrations_router)
api.add_router("", admission_router)
api.add_router("", charter_router)

MESSAGES = {
    "bad_request": _("The request could not be understood."),
    "unauthorized": _("Authentication required: send a valid API token as a Bearer token."),
    "forbidden": _("You are not allowed to do this."),
    "not_found": _("Nothing was found at this address."),
    "invalid": _("Some parameters are not valid: see the errors."),
    "server_error": _("Something went wrong on our side. Please try again in a few minutes."),
}


def error_response(request, code, message, *, status, **extra):
    """The JSON answer for an error; ``str()`` translates lazy messages now, in the request's
    language."""
    return api.create_response(
        request, {"code": code, "message": str(message), **extra}, status=status
    )


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return error_response(request, exc.code, exc.message, status=exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    # The exception's own text (e.g. "No Edition matches the given query.") is for
    # developers and is not translated: answer the generic message instead.
    return error_response(request, "not_found", MESSAGES["not_found"], status=404)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    # Only location, message and type: pydantic's context may hold values that are neither
    # stable nor serialisable.
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors]
    return error_response(request, "invalid", MESSAGES["invalid"], status=422, errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    if (limited := failed_authentication_limit(request)) is not None:
        return _throttled(request, Throttled(wait=limited.wait))
    response = error_response(request, "unauthorized", MESSAGES["unauthorized"], status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error_response(request, "forbidden", MESSAGES["forbidden"], status=403)


@api.exception_handler(Ratelimited)
def _rate_limited(request, exc):
    # django-ratelimit's exception is a PermissionDenied; this more specific handler wins.
    # It knows no wait.
    return _throttled(request, Throttled(wait=None))


@api.exception_handler(Throttled)
def _throttled(request, exc):
    wait = math.ceil(exc.wait) if exc.wait else None
    response = error_response(request, "rate_limited", too_many_requests(wait), status=429)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@api.exception_handler(UnstorableInput)
def _unstorable(request, exc):
    message = _("This text holds an invisible character (%(character)s) that cannot be stored.")
    errors = [
        {
            "loc": list(exc.location),
            "msg": str(message) % {"character": exc.code_point},
            "type": "unstorable_character",
        }
    ]
    return error_response(request, "invalid", MESSAGES["invalid"], status=422, errors=errors)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    """Errors ninja raises itself (401/403 from auth, 400 for an unreadable body…)."""
    # ninja answers 400 for any failure to read the body; the parser's own refusal and a body
    # beyond Django's limit say more.
    if isinstance(exc.__cause__, UnstorableInput):
        return _unstorable(request, exc.__cause__)
    if isinstance(exc.__cause__, RequestDataTooBig):
        return _bad_request(request, exc.__cause__)
    if exc.status_code == 429:
        return _throttled(request, Throttled(wait=None))
    code = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
    }.get(exc.status_code)
    if code:
        return error_response(request, code, MESSAGES[code], status=exc.status_code)
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = "error"
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    return error_response(request, code, exc.message, status=exc.status_code)


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(BadRequest)
def _bad_request(request, exc):
    if isinstance(exc, RequestDataTooBig):
        return payload_too_large(request)
    return error_response(request, "bad_request", MESSAGES["bad_request"], status=400)


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.error("Unhandled API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(request, "server_error", MESSAGES["server_error"], status=500)
