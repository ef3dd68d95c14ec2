"""How the JSON API says no: a stable ``code`` for programs, a translated ``message`` for people.

Kept apart from ``ptce.api`` so that apps' routers can raise :class:`ApiError` without
importing the API that mounts them.
"""

from ninja import Schema


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
