"""The project's own middleware: what every request goes through before any view."""

from django.conf import settings
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.translation import gettext as _

from common import errors, unstorable


def api_method_not_allowed(get_response):
    """Answer a wrong HTTP method on the API in JSON, like every other API error.

    django-ninja returns its 405 as plain text without raising, so the API's exception
    handlers never see it; the ``Allow`` header it sets is kept.
    """

    def middleware(request):
        response = get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/"):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {
                    "code": "method_not_allowed",
                    "message": _("This address does not accept the %(method)s method.")
                    % {"method": request.method},
                },
                status=405,
            )
            response["Allow"] = allowed
        return response

    return middleware


class _NameKeepingParser(MultiPartParser):
    """Django's parser of a form with files, which also keeps the files' names as sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent_file_names = []

    def sanitize_file_name(self, file_name):
        self.sent_file_names.append(file_name)
        return super().sanitize_file_name(file_name)


def keep_sent_file_names(get_response):
    """``request.sent_file_names``: the names of a form's files as the client sent them.
    Django gives views only their last part, without control characters ("../x.pdf" becomes
    "x.pdf"); a view that would rather refuse such a name reads them here
    (``events.materials``). Before anything reads the body."""

    def middleware(request):
        request.sent_file_names = []

        def parse_file_upload(meta, post_data):
            parser = _NameKeepingParser(meta, post_data, request.upload_handlers, request.encoding)
            try:
                return parser.parse()
            finally:
                request.sent_file_names = parser.sent_file_names

        request.parse_file_upload = parse_file_upload
        return get_response(request)

    return middleware


def refuse_unstorable_input(get_response):
    """Refuse, before any view or database sees them, characters no database stores
    (:mod:`common.unstorable`): in the address a 404 (no page has such an address), in a
    header, a cookie, the query string or a form field a 400, each with the project's page (or
    JSON under ``/api/``). The API's query parameters and JSON bodies are its parser's to
    check, with a 422 naming the field (``ptce.api``)."""

    def middleware(request):
        headers = (value for key, value in request.META.items() if key.startswith("HTTP_"))
        for value in (*headers, *request.COOKIES.values()):
            if unstorable.contains(value):
                return _refused(request, value)
        if unstorable.contains(request.path_info):
            return errors.page_not_found(request)
        if not errors.is_api(request):
            try:
                fields = [*_fields(request.GET), *_fields(request.POST)]
            except MultiPartParserError:
                # A form with files whose body is not what its headers announce.
                return errors.bad_request(request)
            for value in fields:
                if unstorable.contains(value):
                    return _refused(request, value)
        return get_response(request)

    return middleware


def _refused(request, value):
    return errors.bad_request(
        request, message=errors.unstorable_message(unstorable.describe(value))
    )


def _fields(data):
    """Every name and value of a QueryDict."""
    for key, values in data.lists():
        yield key
        yield from values


def limit_request_size(get_response):
    """413 for a body beyond the limit, announced by its Content-Length, before it is read
    (``PTCE_MAX_UPLOAD_SIZE`` for a form with files, ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for any
    other; a body sent without a length meets Django's own limit, answered 413 as well by
    ``errors.bad_request``); 414 for an address beyond ``PTCE_MAX_URL_LENGTH``. Both with the
    project's page in the visitor's language, or JSON under ``/api/``."""

    def middleware(request):
        if len(request.path) + len(request.META.get("QUERY_STRING", "")) > (
            settings.PTCE_MAX_URL_LENGTH
        ):
            return errors.uri_too_long(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return errors.bad_request(request)
        multipart = request.content_type == "multipart/form-data"
        limit = settings.PTCE_MAX_UPLOAD_SIZE if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return errors.payload_too_large(request)
        return get_response(request)

    return middleware
