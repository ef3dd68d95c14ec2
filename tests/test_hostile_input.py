"""Hostile input on every page and every API operation: a 4xx (or the normal page for a
harmless value), never a 5xx, and a refused request changes no row.

Two walks, so that a new page or endpoint is covered without being listed here:

- every pattern of the URL configuration (``get_resolver()``) but the API's, the Django admin
  and static files (see ``SKIPPED_PREFIXES``): one test per pattern name;
- every operation of the OpenAPI schema (``ptce.api.api.get_openapi_schema()``, the schema
  served at ``/api/v1/openapi.json``): one test per operation id.

A page test, as an anonymous visitor and as an organiser who passed the second factor:

- the valid address (path parameters from the scene: ``_valid_kwargs``) by GET, and by POST
  with an empty form, which says the methods the page accepts;
- each path parameter replaced in turn by each hostile value, percent-encoded in the address,
  by each method the page accepts;
- the query strings of any page: ``?q=``, ``?entrance=``, ``?page=`` with a NUL byte,
  ``?page=`` beyond 64 bits, ``?since=`` before year 1 and after 9999 (``QUERY_PROBES``);
- every ``<form>`` of the page (parsed with ``html.parser``: method, action, enctype, inputs,
  selects, textareas, named submit buttons) and every link with a query string (a form sent
  by GET), sent as a person would (``_pairs``: the fields as rendered, the CSRF token
  included, and an answer in the empty required fields, so that the form is valid but for the
  one value changed), then with one field at a time replaced by each hostile value: a GET
  form as a query string, a POST form as its enctype says. A form whose action is another
  page that renders the same form is left to that page's test; the layout's forms and links
  (those of the home page) are tested with the home page only.

An API test, anonymously, with an organiser's token and, for an operation that needs a token,
with an agent's: a request built from the schema (``_api_request``: the names the scene has a
value for, ``API_VALUES``, else a value of the schema's type; the required query parameters
and body properties, and the optional ones that the scene has a value for), checked to
succeed, then the same with one path parameter, query parameter or body property at a time
replaced by each hostile value, a body property also by each wrong JSON type, and the whole
body by a list, a string and a number.

The hostile values (``HOSTILE``): a NUL byte, a lone surrogate (``%ED%A0%80`` in an address
or a form, the escape ``\\ud800`` in JSON), 10,000 characters, the dates ``DATES`` (before
year 1, in year 1 and in 9999 with UTC outside, year 10000) and ``2**64 + 1``. To keep the
module near a minute on two cores (about 8,000 requests): a form field gets the dates only
when it is a date or time input or its name says it holds one (``DATE_NAME``), and
``2**64 + 1`` only when it is a number input or its rendered value and options are digits; a
path parameter gets the dates and ``2**64 + 1`` only when its converter lets them through to
the view (elsewhere they are the resolver's 404 again). Every value goes to every API
parameter and property: the API is small.

Each request runs in a savepoint rolled back after it, the client's cookies put back: every
variant meets the same scene, even after one that cancelled the registration or logged the
organiser out. An accepted POST is followed to the page it redirects to, in the same
savepoint: a value stored that the next page cannot show is found too. "No row changed" is
read before and after each request from PostgreSQL's statistics of the current transaction
(``pg_stat_xact_user_tables``, one query), which count the writes that a savepoint of the view
rolled back as well: a request they flag is sent once more, counting the flagged tables' rows
and those written since it began (their ``xmin``).

The failures of a page or an operation come in one assertion, one line each: who, method,
address, field, value, status and the server's exception (its type, its first line and the
last frame in ``src/``), from ``response.exc_info`` or, for a 500 that a handler answered
itself, from the log.
"""

import copy
import datetime as dt
import itertools
import json
import logging
import re
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_started
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts import invitations
from accounts.enums import Role
from accounts.invitation_links import link_token
from accounts.models import ApiToken, User
from charter import links as charter_links
from charter.models import CharterVersion, Signature, SigningRequest
from events.models import Material, Speaker
from feedback import links as feedback_links
from feedback import questionnaires
from feedback.models import FeedbackLink
from network.models import Pole
from ptce.api import api
from ptce.tasks import heartbeat
from registrations import links as registration_links
from registrations.models import Invitation, Registration
from registrations.views.public import booking_token
from tests import routes
from tests import test_permission_matrix as matrix
from tests.auth import log_in
from tests.conftest import PASSWORD
from tests.factories import BookingFactory, RegistrationFactory, SpeakerFactory, WorkshopFactory

# PostgreSQL only: the commonest failure hunted here, a NUL byte reaching the database, is
# PostgreSQL's (SQLite stores it), and "no row changed" is read from PostgreSQL's statistics
# of the current transaction and the rows' xmin, which SQLite has no equivalent of.
pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

# The objects of the permission matrix (an edition with a registration, an invitation, a
# failed email, security list versions, a charter version with a ceremony, a pole, a
# signature, a signing request...): registered here as this module's ``scene`` fixture.
scene = matrix.scene

NUL = "\x00"
SURROGATE = "\ud800"
LONG = "a" * 10_000
DATES = ("0000-12-31T23:59:59", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00", "10000-01-01")
BIG = 2**64 + 1
HOSTILE = (NUL, SURROGATE, LONG, *DATES, BIG)
# JSON of the wrong type for any body property (``_wrong_types`` adds those that depend on
# its type): a list, an object, a boolean, null.
WRONG_TYPES = (["x"], {"x": "y"}, True, None)

DATE_NAME = re.compile(r"date|time|_at$|_on$|since|until|deadline", re.I)
DIGITS = re.compile(r"^[0-9]+$")

# The tables a refused request may legitimately write, and why; a row of any other table
# written by a request answered 4xx is a failure.
UNCHECKED_TABLES = {
    # The visitor's own session, not the site's data: Django saves it after any answer whose
    # view touched it (a flash message, the language, a pending second factor).
    "django_session",
}

# The layout's forms (on every page) are tested on this page only.
LAYOUT_PAGE = "events:home"


def _short(value):
    text = repr(value)
    return f"{text[:24]}… ({len(str(value))} chars)" if len(text) > 60 else text


# Sending and judging ---------------------------------------------------------------------


@dataclass
class Probe:
    """Sends requests, each in a savepoint rolled back after it (with the client's cookies put
    back), and collects failures: a 5xx or an exception, or a 4xx that left a row written."""

    name: str
    logged: "ErrorLog"
    failures: list = field(default_factory=list)
    bases: list = field(default_factory=list)
    count: int = 0

    def send(
        self,
        client,
        who,
        method,
        address,
        *,
        what,
        value,
        body=b"",
        content_type="",
        headers=None,
        follow=True,
        keep=False,
    ):
        """``keep``: the request's writes and cookies are kept (a page whose forms are sent
        next: what its view put in the session is what a browser would send them with)."""
        request = (client, method, address, body, content_type, headers or {})
        response, problem, flagged = self._attempt(request, follow, keep)
        if flagged:
            problem = self._rows_held(request, flagged)
        if problem is not None:
            where = f"{who} {method} {_short_address(address)} {what}={_short(value)}"
            self.failures.append(f"{where} → {response.status_code}: {problem}")
        return response

    def _attempt(self, request, follow, keep):
        client = request[0]
        cookies = client.cookies if keep else copy.deepcopy(client.cookies)
        flagged = None
        try:
            with transaction.atomic():
                before = _table_writes()
                self.logged.records.clear()
                response = self._request(*request)
                problem = _problem(response, self.logged)
                if problem is None and response.status_code < 400 and follow:
                    problem = self._follow(client, response, request[1])
                if problem is None and 400 <= response.status_code < 500:
                    try:
                        flagged = _written_since(before)
                    except DatabaseError as error:
                        problem = f"the transaction was left aborted: {_error_line(error)}"
                transaction.set_rollback(not keep or problem is not None)
        finally:
            client.cookies = cookies
        return response, problem, flagged

    def _rows_held(self, request, tables):
        """The statistics count writes that a savepoint of the view rolled back as well (a
        registration refused after its booking was inserted): the same request once more,
        with the flagged tables counted and their rows written since it began (xmin)."""
        client = request[0]
        cookies = copy.deepcopy(client.cookies)
        try:
            with transaction.atomic():
                counts, first_xid = _row_counts(tables), _next_xid()
                self._request(*request)
                after, written = _row_counts(tables), _rows_written_since(tables, first_xid)
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies
        held = {}
        for table in tables:
            if written[table]:
                held[table] = f"{written[table]} new or changed"
            elif after[table] != counts[table]:
                held[table] = f"{counts[table] - after[table]} deleted"
        return f"a refused request changed rows: {held}" if held else None

    def _request(self, client, method, address, body, content_type, headers):
        self.count += 1
        if method == "GET":
            return client.get(address, headers=headers)
        return client.generic(method, address, body, content_type, headers=headers)

    def _follow(self, client, response, method):
        """After an accepted POST, the page it sends to: a value stored that this page cannot
        show is the same bug as a 500 on the POST."""
        location = response.get("Location", "")
        if method != "POST" or not 300 <= response.status_code < 400:
            return None
        if not location.startswith("/") or location.startswith("//"):
            return None
        self.count += 1
        self.logged.records.clear()
        after = client.get(location)
        problem = _problem(after, self.logged)
        if problem is None:
            return None
        return f"then GET {_short_address(location)} → {after.status_code}: {problem}"

    def check(self):
        print(f"\n{self.name}: {self.count} requests, {len(self.failures)} failures")
        for base in self.bases:
            print(f"  form as typed: {base}")
        assert not self.failures, (
            f"{self.name}: {len(self.failures)} of {self.count} hostile requests failed:\n"
            + "\n".join(self.failures)
        )


def _short_address(address):
    return address if len(address) < 120 else f"{address[:100]}…({len(address)} chars)"


class ErrorLog(logging.Handler):
    """The exceptions logged while a request was answered: those that a handler turned into
    a 500 itself (the API's ``server_error``) never reach ``response.exc_info``."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            self.records.append(record)


@pytest.fixture
def logged():
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


def _problem(response, logged):
    """What is wrong with an answer beyond a 4xx: its exception, or a 5xx."""
    try:
        if response.streaming:
            b"".join(response.streaming_content)
    except Exception as error:  # the error is the finding
        return f"while streaming the answer: {_error_line(error)}"
    if response.exc_info:
        return _error_line(response.exc_info[1])
    if response.status_code >= 500:
        if logged.records:
            return _error_line(logged.records[-1].exc_info[1])
        return "a 5xx with no exception logged"
    return None


def _error_line(error):
    """The exception's type, its message's first line, and the last frame in src/."""
    lines = str(error).strip().splitlines() or [""]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/src/" in f.filename]
    where = f" (at {frames[-1].filename.split('/src/')[-1]}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {lines[0][:160]}{where}"


def _table_writes():
    """Rows inserted, updated or deleted so far in this transaction, by table, from the
    statistics of the current transaction (one query; verified to count the writes of the
    test's own transaction, savepoints included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 AND NOT relname = ANY(%s)",
            [sorted(UNCHECKED_TABLES)],
        )
        return dict(cursor.fetchall())


def _written_since(before):
    """The tables written since ``before`` (a :func:`_table_writes`)."""
    return sorted(table for table, n in _table_writes().items() if n != before.get(table, 0))


def _row_counts(tables):
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        return counts


def _next_xid():
    """A transaction id that every transaction or savepoint begun from now on gets at least:
    the rows it writes have an xmin (the id of the transaction or savepoint that wrote them)
    at least this one. Not the rows of one begun before (the test's own savepoint), whose id
    is older: :meth:`Probe._rows_held` sends the request in a savepoint of its own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296")
        return cursor.fetchone()[0]


def _rows_written_since(tables, first_xid):
    with connection.cursor() as cursor:
        written = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608
                " WHERE xmin::text::bigint >= %s",
                [first_xid],
            )
            written[table] = cursor.fetchone()[0]
        return written


# Hostile values in addresses, query strings and bodies -------------------------------------


def _quoted(value, safe=""):
    """Percent-encoded as a browser would: UTF-8, a lone surrogate as its three bytes
    (``%ED%A0%80``, which is not UTF-8: what an attacker can send)."""
    return quote_from_bytes(str(value).encode("utf-8", "surrogatepass"), safe=safe)


def _query(pairs):
    return "&".join(f"{_quoted(name)}={_quoted(value)}" for name, value in pairs)


def _multipart(pairs, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in pairs:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode("utf-8", "surrogatepass")
            + b"\r\n"
        )
    for name in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n".encode()
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


# The site's pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pieces: tuple  # the patterns from the root, each a RoutePattern or a RegexPattern

    def __str__(self):
        return self.name or "".join(str(piece) for piece in self.pieces)

    @property
    def converters(self):
        """Each path parameter with its converter (None in a regular expression)."""
        converters = {}
        for piece in self.pieces:
            if isinstance(piece, RegexPattern):
                converters.update(dict.fromkeys(piece.regex.groupindex))
            else:
                converters.update(piece.converters)
        return converters

    def address(self, values):
        """The address with each parameter replaced by ``values[name]``, already encoded."""
        text = ""
        for piece in self.pieces:
            pattern = str(piece)
            if isinstance(piece, RegexPattern):
                pattern = pattern.removeprefix("^").removesuffix("$")
                pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m[1]], pattern)
                pattern = re.sub(r"\\(.)", r"\1", pattern)
            else:
                pattern = re.sub(r"<(?:[^>:]+:)?(\w+)>", lambda m: values[m[1]], pattern)
            text += pattern
        return "/" + text


# The API: the schema's walk below. The Django admin: superusers only, and an anonymous
# visitor is sent to its login page before any parameter is read. Static and media files are
# WhiteNoise's and the web server's, outside the URL configuration.
SKIPPED_PREFIXES = ("api/", "admin/")
ROUTES = [
    Route(name, pieces)
    for name, pieces in routes.walk()
    if not str(pieces[0]).startswith(SKIPPED_PREFIXES)
]

# Valid path parameters: the permission matrix's table for the organiser pages (it is kept
# complete by test_every_organiser_page_is_in_the_table), else by page, else by name; each a
# key of the ``world`` fixture.
KWARGS_BY_PAGE = {
    # A published file of the edition (the scene's "material" is a link: its editing pages).
    "events:material": {"pk": "material_file", "name": "material_file_name"},
    "network:pole": {"slug": "pole_slug"},
    "registrations:registered": {"token": "booking_token"},
    "accounts:password_reset_confirm": {"uidb64": "reset_uidb64", "token": "reset_token"},
    "charter:receipt": {"token": "receipt_token"},
    "charter:receipt_pdf": {"token": "receipt_token"},
    "charter:sign_confirm": {"token": "confirm_token"},
    "feedback:answer": {"token": "feedback_token"},
    "feedback:thanks": {"token": "feedback_token"},
    "accounts:invitation_accept": {"token": "team_token"},
    # The booker's page, of another person of the booking.
    "registrations:group_resend": {"pk": "colleague"},
    "registrations:group_cancel": {"pk": "colleague"},
    # A workshop of the manage link's edition, which the person holds a seat in.
    "registrations:workshop_leave": {"pk": "workshop"},
    "registrations:workshop_meanwhile": {"pk": "workshop"},
    "registrations:workshop_offer": {"pk": "workshop"},
}
KWARGS_BY_NAME = {
    "slug": "edition",
    "speaker": "speaker_slug",
    "session": "session",
    "version": "charter_version",
    "token": "manage_token",
    "code": "invitation_code",
}
# Pages whose valid address is a 404 in the scene all the same, and why.
NOT_FOUND_IN_SCENE = {
    # A certificate exists once the day has begun, for an admitted attendee; the scene's
    # edition is weeks ahead (its path parameter is tried all the same).
    "admission:certificate",
}
MATRIX_KWARGS = {page.name: page.kwargs for page in matrix.PAGES}


def _valid_kwargs(route, world):
    known = {
        **KWARGS_BY_NAME,
        **MATRIX_KWARGS.get(route.name, {}),
        **KWARGS_BY_PAGE.get(route.name, {}),
    }
    missing = [name for name in route.converters if name not in known]
    assert not missing, (
        f"{route.name}: no valid value for {missing}: add one to KWARGS_BY_PAGE "
        "(or the page to test_permission_matrix.PAGES)"
    )
    # As in the matrix, a value that names nothing in the scene is the value itself ("csv").
    return {name: str(world.get(known[name], known[name])) for name in route.converters}


def _path_values(converter):
    """NUL, the surrogate and the long value everywhere (the middleware's and the resolver's
    to refuse); the dates and the big number where the converter lets them reach the view
    (any of them in a regular expression): elsewhere they are the resolver's 404 again."""
    reaching = [
        value
        for value in (*DATES, BIG)
        if converter is None or re.fullmatch(converter.regex, str(value))
    ]
    return [NUL, SURROGATE, LONG, *reaching]


QUERY_PROBES = (
    ("q", NUL),
    ("entrance", NUL),
    ("page", NUL),
    ("page", BIG),
    ("since", "0001-01-01"),
    ("since", "10000-01-01"),
)


@dataclass
class Field:
    name: str
    value: object  # a string; a list for a <select multiple>
    kind: str  # the input's type, or "select", "textarea", "submit"
    sent: bool  # whether a browser sends it untouched (a checked box, an enabled input)
    required: bool = False
    options: list = field(default_factory=list)
    minimum: str = ""
    datalist: str = ""  # the id of the <datalist> that suggests its values


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: list = field(default_factory=list)
    datalists: dict = field(default_factory=dict)  # the page's, by id: their options' values

    def key(self):
        names = tuple(sorted({one.name for one in self.fields}))
        return (self.method, urlsplit(self.action).path, names)


class FormParser(HTMLParser):
    """The forms of a page, as a browser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.datalists = {}
        self._form = self._select = self._option = self._textarea = self._datalist = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: "" if value is None else value for key, value in attrs}
        if tag == "form":
            self._form = Form(
                method=(attrs.get("method") or "get").upper(),
                action=attrs.get("action", ""),
                enctype=attrs.get("enctype", "application/x-www-form-urlencoded"),
            )
            self._form.datalists = self.datalists
            self.forms.append(self._form)
        elif tag == "a" and "?" in attrs.get("href", ""):
            self._link(attrs["href"])
        elif tag == "datalist":
            self._datalist = self.datalists.setdefault(attrs.get("id", ""), [])
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
            self._select.options.append(self._option)
        elif tag == "option" and self._datalist is not None and attrs.get("value"):
            self._datalist.append(attrs["value"])
        elif self._form is not None and attrs.get("name"):
            self._field(tag, attrs)

    def _link(self, href):
        """A link with a query string is a form sent by GET: its parameters are fields."""
        address = urlsplit(href)
        if address.scheme or address.netloc:
            return
        fields = [
            Field(name, value, "link", True)
            for name, value in parse_qsl(address.query, keep_blank_values=True)
        ]
        if fields:
            self.forms.append(Form("GET", address.path, "", fields))

    def _field(self, tag, attrs):
        name, enabled, required = attrs["name"], "disabled" not in attrs, "required" in attrs
        kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
        if tag == "input" and kind not in ("reset", "button", "image"):
            checkable = kind in ("checkbox", "radio")
            value = attrs.get("value", "on" if checkable else "")
            sent = enabled and kind != "submit" and (not checkable or "checked" in attrs)
            minimum, datalist = attrs.get("min", ""), attrs.get("list", "")
            self._form.fields.append(
                Field(name, value, kind, sent, required, minimum=minimum, datalist=datalist)
            )
        elif tag == "button" and kind == "submit":
            self._form.fields.append(Field(name, attrs.get("value", ""), "submit", False))
        elif tag == "select":
            self._select = Field(name, [] if "multiple" in attrs else "", "select", enabled)
            self._select.required = required
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(name, "", "textarea", enabled, required)
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "datalist":
            self._datalist = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            # HTML drops the newline that follows <textarea>.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            options = [(v if v is not None else text.strip(), on) for v, on, text in select.options]
            select.options = [value for value, _ in options]
            chosen = [value for value, selected in options if selected]
            if isinstance(select.value, list):
                select.value = chosen
            elif options:
                select.value = chosen[-1] if chosen else options[0][0]
            else:
                select.sent = False


def _forms(response):
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser()
    parser.feed(response.content.decode(errors="replace"))
    return parser.forms


def _typed(one, form):
    """What a person types in an empty required field, picks in a list that suggests values
    or a group of choices that none is checked in: so that a form sent with one hostile value
    is otherwise valid, and the value reaches the code that stores it."""
    name = one.name.lower()
    if one.datalist and form.datalists.get(one.datalist):
        return form.datalists[one.datalist][0]
    if one.kind in ("select", "radio"):
        choices = [o for o in one.options if o] or [
            other.value for other in form.fields if other.name == one.name and other.value
        ]
        return choices[0] if choices else ""
    if one.kind == "checkbox":
        return one.value
    soon = timezone.localtime() + dt.timedelta(days=30)
    return {
        "email": "hostile.input@example.org",
        "date": soon.date().isoformat(),
        "time": "11:00" if "end" in name else "10:00",
        "datetime-local": soon.strftime("%Y-%m-%dT%H:%M"),
        "number": one.minimum or "1",
        "url": "https://example.org/",
        "password": PASSWORD,
    }.get(one.kind) or ("69001" if "postal" in name else "Exemple")


def _pairs(form):
    """What a person sends with the form: the fields as rendered, and an answer (``_typed``)
    in the empty required fields, the empty fields that suggest values, the radio groups and
    the groups of boxes that none is checked in."""
    pairs, answered = [], set()
    boxes = Counter(one.name for one in form.fields if one.kind == "checkbox")
    for one in form.fields:
        if one.kind in ("file", "submit"):
            continue
        if one.sent and (one.value or not (one.required or one.datalist)):
            for value in one.value if isinstance(one.value, list) else [one.value]:
                pairs.append((one.name, value))
            answered.add(one.name)
    for one in form.fields:
        if one.name in answered or one.kind in ("file", "submit"):
            continue
        group = one.kind == "radio" or (one.kind == "checkbox" and boxes[one.name] > 1)
        if one.required or one.datalist or group:
            pairs.append((one.name, _typed(one, form)))
            answered.add(one.name)
    return pairs


def _field_values(one):
    values = [NUL, SURROGATE, LONG]
    if one.kind in ("date", "datetime-local", "time", "month", "week") or DATE_NAME.search(
        one.name
    ):
        values += DATES
    # A formset's management counts are Django's (capped at max_num + 1000 forms), and
    # rendering that many forms again takes seconds.
    rendered = [*one.options, *(one.value if isinstance(one.value, list) else [one.value])]
    rendered = [value for value in rendered if value]
    numeric = one.kind == "number" or (rendered and all(DIGITS.match(v) for v in rendered))
    if numeric and not one.name.endswith("_FORMS"):
        values.append(BIG)
    return values


def _send_form(probe, client, who, form, page_address):
    address = urlsplit(form.action).path or urlsplit(page_address).path
    base = _pairs(form)
    files = [one.name for one in form.fields if one.kind == "file"]
    # The CSRF token is read by CsrfViewMiddleware alone, which the test client switches off.
    varied = {one.name: one for one in reversed(form.fields) if one.kind != "file"}
    varied.pop("csrfmiddlewaretoken", None)

    def send(pairs, what, value):
        if form.method == "GET":
            return probe.send(
                client, who, "GET", f"{address}?{_query(pairs)}", what=what, value=value
            )
        if "multipart" in form.enctype:
            body, content_type = _multipart(pairs, files)
        else:
            body, content_type = _query(pairs).encode(), "application/x-www-form-urlencoded"
        return probe.send(
            client,
            who,
            "POST",
            address,
            body=body,
            content_type=content_type,
            what=what,
            value=value,
        )

    # As a browser sends it, for the record (-s): a form refused as it is tests less.
    response = send(base, "form", "as typed")
    probe.bases.append(f"{who} {form.method} {address}: {response.status_code}")
    for name, one in varied.items():
        for hostile in _field_values(one):
            pairs = [(key, value) for key, value in base if key != name] + [(name, hostile)]
            send(pairs, f"form field {name}", hostile)


@pytest.fixture
def world(cast, scene, settings, tmp_path):
    """The scene of the permission matrix, with what the public pages need: signed links,
    a booking, a team invitation, a password reset link, a pole."""
    # The limits are tested in test_rate_limits.py; here they would only answer 429 early.
    settings.PTCE_RATES = {name: "1000000/m" for name in settings.PTCE_RATES}
    registration = Registration.objects.get(pk=scene["registration"])
    booking = BookingFactory(edition=cast.edition, email=registration.email)
    Registration.objects.filter(pk=registration.pk).update(booking=booking)
    # The manage link's person is the booker: their page lists this colleague.
    colleague = RegistrationFactory(
        edition=cast.edition, category=registration.category, booking=booking
    )
    signature = Signature.objects.get(pk=scene["signature"])
    signing_request = SigningRequest.objects.get(pk=scene["signing_request"])
    invitations.invite(
        cast.organiser, email="equipe.invitee@example.org", role=Role.VIEWER, organisation=cast.org
    )
    invited = User.objects.get(email="equipe.invitee@example.org")
    pole = Pole.objects.get(organisation_id=scene["pole_organisation"])
    # A worker that ran a minute ago: /healthz answers 200, not its 503 of a stopped worker.
    now = timezone.now()
    DBTaskResult.objects.create(
        task_path=heartbeat.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=now,
        started_at=now,
        finished_at=now,
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    material_file = Material.objects.create(
        edition=cast.edition,
        kind="file",
        title="Programme",
        description="Le programme de la journée",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="programme.pdf"),
        file_name="programme.pdf",
        content_type="application/pdf",
        size=15,
        publication="now",
    )
    # The questionnaire after the day, with the person's link not used yet.
    questionnaire = questionnaires.of_edition(cast.edition)
    questionnaire.status = "ready"
    questionnaire.save()
    feedback_link = FeedbackLink.objects.create(
        questionnaire=questionnaire, registration=registration
    )
    return {
        **scene,
        "manage_token": registration_links.manage_token(registration),
        "feedback_token": feedback_links.token(feedback_link),
        "material_file": material_file.pk,
        "material_file_name": material_file.file_name,
        "booking_token": booking_token(booking),
        "receipt_token": charter_links.receipt_token(signature),
        "confirm_token": charter_links.confirm_token(signing_request),
        "team_token": link_token(invited),
        "reset_uidb64": urlsafe_base64_encode(force_bytes(cast.outsider.pk)),
        "reset_token": default_token_generator.make_token(cast.outsider),
        "speaker_slug": Speaker.objects.get(pk=scene["speaker"]).slug,
        "invitation_code": Invitation.objects.get(pk=scene["invitation"]).code,
        "pole_slug": pole.organisation.slug,
        "pole": pole.pk,
        "charter_year": CharterVersion.objects.get(slug=scene["charter_version"]).year,
        "category_slug": Registration.objects.get(pk=scene["registration"]).category.slug,
        "entrance_slug": scene["entrance"],
        "new_email": "hostile.input@example.org",
        "colleague": colleague.pk,
        "workshop_ids": [WorkshopFactory(edition=cast.edition).pk],
    }


def _clients(cast):
    return {
        "anonymous": Client(raise_request_exception=False),
        "organiser": log_in(Client(raise_request_exception=False), cast.organiser),
    }


def _layout_forms(probe, clients):
    """The forms of the home page, on every page: tested with the home page only."""
    keys = set()
    for who, client in clients.items():
        home = probe.send(client, who, "GET", "/", what="layout", value="")
        keys |= {form.key() for form in _forms(home)}
    return keys


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_page_answers_hostile_input_with_a_4xx_and_changes_nothing(route, cast, world, logged):
    probe = Probe(route.name, logged)
    clients = _clients(cast)
    kwargs = _valid_kwargs(route, world)
    valid = {name: _quoted(value, safe=":") for name, value in kwargs.items()}
    address = route.address(valid)

    # The valid address first, by GET and by POST with an empty form: the variants below
    # differ from a page that works in the one value they change, and are sent by the
    # methods the page accepts.
    pages, methods = {}, {}
    for who, client in clients.items():
        answers = {
            method: probe.send(
                client,
                who,
                method,
                address,
                what="valid address",
                value="",
                content_type="application/x-www-form-urlencoded",
                keep=method == "GET",
            )
            for method in ("GET", "POST")
        }
        if route.name not in NOT_FOUND_IN_SCENE:
            assert answers["GET"].status_code != 404, f"harness: {who} gets 404 at {address}"
        pages[who] = answers["GET"]
        methods[who] = [method for method, answer in answers.items() if answer.status_code != 405]

    for (name, converter), (who, client) in itertools.product(
        route.converters.items(), clients.items()
    ):
        for hostile, method in itertools.product(_path_values(converter), methods[who]):
            varied = route.address({**valid, name: _quoted(hostile)})
            probe.send(
                client,
                who,
                method,
                varied,
                what=f"path {name}",
                value=hostile,
                content_type="application/x-www-form-urlencoded",
            )

    for who, client in clients.items():
        if "GET" not in methods[who]:
            continue
        for name, hostile in QUERY_PROBES:
            probe.send(
                client,
                who,
                "GET",
                f"{address}?{_query([(name, hostile)])}",
                what=f"query {name}",
                value=hostile,
            )

    layout = set() if route.name == LAYOUT_PAGE else _layout_forms(probe, clients)
    rendered_by = {}
    for who, client in clients.items():
        sent = set(layout)
        for form in _forms(pages[who]):
            if form.key() in sent:
                continue
            sent.add(form.key())
            if _form_is_here(form, route, address, rendered_by, probe, client, who):
                _send_form(probe, client, who, form, address)
    probe.check()


def _form_is_here(form, route, address, rendered_by, probe, client, who):
    """Whether this page's test sends ``form``: when its action is this page, or another
    page that does not render the same form itself (a button's POST-only target, say)."""
    target = urlsplit(form.action).path
    if not target or target == urlsplit(address).path:
        return True
    try:
        match = resolve(target)
    except Resolver404:  # an action outside the URL configuration
        return False
    if match.view_name == route.name:
        return True
    if (who, target) not in rendered_by:
        page = probe.send(client, who, "GET", target, what="form's action", value="")
        rendered_by[who, target] = {other.key() for other in _forms(page)}
    return form.key() not in rendered_by[who, target]


# The API -------------------------------------------------------------------------------------

SCHEMA = api.get_openapi_schema()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
]

# Plausible values by parameter or property name, from the ``world`` fixture: the only
# knowledge of the API here. Any other value comes from its schema.
API_VALUES = {
    "slug": "edition",
    "version": "charter_version",
    "year": "charter_year",
    "id": "registration",
    "registration_id": "registration",
    "registration": "registration",
    "pole_id": "pole",
    "entrance": "entrance_slug",
    "category": "category_slug",
    "email": "new_email",
    "code": "ticket_code",
    "workshops": "workshop_ids",
}


def _deref(schema):
    """The schema a ``$ref`` names (the same schema when it is none)."""
    while "$ref" in schema:
        target = SCHEMA
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def _kind(schema):
    """The schema's main type and format, through $ref and nullable anyOf."""
    schema = _deref(schema)
    for option in schema.get("anyOf", ()):
        option = _deref(option)
        if option.get("type") != "null":
            return _kind(option)
    return schema


def _example(name, schema, world):
    """A valid value: the scene's for the names it has, else one of the schema's type."""
    if name in API_VALUES:
        return world[API_VALUES[name]]
    schema = _kind(schema)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string" and schema.get("format") == "date-time":
        return timezone.now().isoformat()
    if kind == "string" and schema.get("format") == "date":
        return timezone.localdate().isoformat()
    # A word, not a letter: a search needs two letters at least.
    return {
        "string": "Exemple",
        "integer": 1,
        "number": 1,
        "boolean": True,
        "array": [],
        "object": {},
    }.get(kind, "Exemple")


def _query_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _body_schema(operation):
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return _deref(content["application/json"]["schema"])


def _wrong_types(schema):
    """JSON of the wrong type for a property: ``WRONG_TYPES``, and a number for a string, a
    string for a number or a boolean."""
    opposite = {"string": [1], "integer": ["x"], "number": ["x"], "boolean": ["x", 2]}
    return [*WRONG_TYPES, *opposite.get(_kind(schema).get("type"), [])]


@dataclass
class ApiRequest:
    method: str
    path: str
    path_params: dict
    query: dict
    body: object

    def address(self, path_params=None, query=None):
        params = {**self.path_params, **(path_params or {})}
        address = re.sub(r"\{(\w+)\}", lambda m: params[m[1]], self.path)
        query = self.query if query is None else query
        return f"{address}?{_query(query.items())}" if query else address

    def send(
        self, probe, client, who, headers, *, what, value, path_params=None, query=None, body=None
    ):
        payload = self.body if body is None else body
        data = b"" if payload is _NO_BODY else json.dumps(payload).encode()
        return probe.send(
            client,
            who,
            self.method,
            self.address(path_params, query),
            body=data,
            content_type="application/json",
            headers=headers,
            what=what,
            value=value,
            follow=False,
        )


_NO_BODY = object()


def _api_request(method, path, operation, world):
    path_params, query = {}, {}
    for parameter in operation.get("parameters", ()):
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            path_params[name] = _quoted(_example(name, parameter["schema"], world))
        elif where == "query" and (parameter.get("required") or name in API_VALUES):
            query[name] = _query_text(_example(name, parameter["schema"], world))
    schema = _body_schema(operation)
    body = _NO_BODY
    if schema is not None:
        required = set(schema.get("required", ()))
        body = {
            name: _example(name, prop, world)
            for name, prop in schema.get("properties", {}).items()
            if name in required or name in API_VALUES
        }
    return ApiRequest(method, path, path_params, query, body)


@pytest.fixture
def api_clients(cast, world):
    """Who calls: anonymously, with an organiser's token and with an agent's (the check-in
    operations). Each token noted as used a moment ago, as after a first call: it is written
    once a minute, which a refused call must not be blamed for."""

    def bearer(user):
        token, raw = ApiToken.issue(user)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return {"Authorization": f"Bearer {raw}"}

    return {
        "anonymous": None,
        "organiser": bearer(cast.organiser),
        "agent": bearer(cast.agent),
    }


def _operation_id(operation):
    method, path, op = operation
    return op.get("operationId", f"{method} {path}")


@pytest.mark.parametrize("operation", OPERATIONS, ids=_operation_id)
def test_api_answers_hostile_input_with_a_4xx_and_changes_nothing(
    operation, world, api_clients, logged
):
    method, path, op = operation
    probe = Probe(_operation_id(operation), logged)
    request = _api_request(method, path, op, world)
    callers = dict(api_clients)
    if not op.get("security"):
        callers.pop("agent")
    client = Client(raise_request_exception=False)

    # The base request works for the organiser: every variant differs from it in one value.
    response = request.send(probe, client, "organiser", callers["organiser"], what="base", value="")
    assert 200 <= response.status_code < 300, (
        f"harness: the base request {method} {request.address()} {request.body} answers "
        f"{response.status_code}: {response.content[:300]}"
    )

    schema = _body_schema(op)
    for who, headers in callers.items():
        for parameter in op.get("parameters", ()):
            name, where = parameter["name"], parameter["in"]
            for hostile in HOSTILE:
                if where == "path":
                    request.send(
                        probe,
                        client,
                        who,
                        headers,
                        what=f"path {name}",
                        value=hostile,
                        path_params={name: _quoted(hostile)},
                    )
                elif where == "query":
                    request.send(
                        probe,
                        client,
                        who,
                        headers,
                        what=f"query {name}",
                        value=hostile,
                        query={**request.query, name: _query_text(hostile)},
                    )
        if schema is None:
            continue
        for name, prop in schema.get("properties", {}).items():
            for hostile in (*HOSTILE, *_wrong_types(prop)):
                request.send(
                    probe,
                    client,
                    who,
                    headers,
                    what=f"body {name}",
                    value=hostile,
                    body={**request.body, name: hostile},
                )
        for whole in ([request.body], "x", 1):
            request.send(probe, client, who, headers, what="whole body", value=whole, body=whole)
    probe.check()


def test_a_hostile_path_reaches_the_view_as_a_server_passes_it_on():
    """What the views see of ``%00`` and ``%ED%A0%80`` in an address sent by the harness: a
    NUL byte, and the three bytes (not UTF-8) percent-encoded again, as under gunicorn."""
    seen = []

    def note(sender, environ, **kwargs):
        seen.append(WSGIRequest(environ).path_info)

    request_started.connect(note)
    try:
        Client(raise_request_exception=False).get("/inscription/a%00b/")
        Client(raise_request_exception=False).get("/inscription/a%ED%A0%80b/")
    finally:
        request_started.disconnect(note)
    assert seen == ["/inscription/a\x00b/", "/inscription/a%ED%A0%80b/"]


def test_the_row_check_sees_rows_kept_and_not_those_rolled_back(cast):
    """The harness's own check: the statistics see this transaction's writes (they would see
    none with ``track_counts`` off, and every refused request would pass), a write rolled
    back included, which the xmin count then leaves out."""
    before, first_xid = _table_writes(), _next_xid()
    with transaction.atomic():
        SpeakerFactory(edition=cast.edition)
        transaction.set_rollback(True)
    assert _written_since(before) == ["events_speaker"]
    assert _rows_written_since(["events_speaker"], first_xid) == {"events_speaker": 0}

    # Kept, in a savepoint begun after first_xid, as the harness sends a request.
    with transaction.atomic():
        SpeakerFactory(edition=cast.edition)
    assert _rows_written_since(["events_speaker"], first_xid) == {"events_speaker": 1}
