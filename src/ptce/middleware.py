from django.http import JsonResponse
from django.utils.translation import gettext as _


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
