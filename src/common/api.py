"""What every router of the JSON API shares: how it says no (a stable ``code`` for programs, a
translated ``message`` for people) and how it pages lists.

Kept apart from ``ptce.api`` so that apps' routers use them without importing the API that
mounts them.
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class ApiError(Exception):
    """An answer an endpoint gives on purpose, turned into JSON by the API's handler.

    ``ApiError("not_found", _("No public edition has this address."), status=404)``: the code
    is part of the API's contract (clients and tests rely on it); the message is translated
    into the request's language when the response is written.
    """

    def __init__(self, code, message, *, status):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


class ErrorOut(Schema):
    code: str
    message: str


class ErrorDetail(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(ErrorOut):
    errors: list[ErrorDetail]


#: The refusals of an endpoint that needs a token or an organiser's session.
AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def invalid(field, error_type, message, *, where="body"):
    """One item of a 422 answer, for a check made after parsing: ``field`` of the body's
    ``payload`` (``where="body"``) or of the query string (``where="query"``)."""
    location = ("body", "payload", field) if where == "body" else ("query", field)
    return {"loc": location, "msg": str(message), "type": error_type}


def pagination(*, default, maximum, max_offset):
    """A limit/offset pagination whose bounds are in the schema: beyond them, a 422.

    ``max_offset``: beyond it an offset is a mistake, refused rather than sent to the
    database as an integer it may not hold.
    """

    class Pagination(LimitOffsetPagination):
        class Input(Schema):
            limit: int = Field(default, ge=1, le=maximum)
            offset: int = Field(0, ge=0, le=max_offset)

    return Pagination
