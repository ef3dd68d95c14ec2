"""Site-wide pages: legal notices, errors, robots.txt, and the rate-limit answer."""

from django.conf import settings
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from events.models import Edition

#: Days listed with their own retention periods on the privacy notice (the latest first).
PRIVACY_EDITIONS_SHOWN = 10


def privacy(request):
    """The privacy notice, with the retention periods: the defaults, and those of the public
    days whose attendees' data is still kept."""
    # Imported here: the notice only reads the rule's dates.
    from registrations.privacy import personal_data_due_at, venue_data_due_at

    fields = Edition._meta
    editions = (
        Edition.objects.public()
        .filter(personal_data_anonymised_at=None)
        .order_by("-date")
        .only(
            "slug",
            "title",
            "date",
            "status",
            "venue_data_retention_days",
            "personal_data_retention_days",
            "venue_data_deleted_at",
        )[:PRIVACY_EDITIONS_SHOWN]
    )
    return render(
        request,
        _prose_template("privacy"),
        {
            "venue_days": fields.get_field("venue_data_retention_days").default,
            "personal_days": fields.get_field("personal_data_retention_days").default,
            "editions": [
                (edition, venue_data_due_at(edition), personal_data_due_at(edition))
                for edition in editions
            ],
        },
    )


def accessibility(request):
    return render(request, _prose_template("accessibility"))


def site_map(request):
    """The readable site map (RGAA 12.3); /sitemap.xml is the one for search engines."""
    editions = Edition.objects.public().order_by("-date").only("slug", "title", "date")
    return render(request, "ptce/site_map.html", {"editions": editions})


def _prose_template(name):
    # Long legal texts are written once per language rather than cut into msgids; the
    # French text is the reference and the fallback.
    language = (get_language() or "fr").split("-")[0]
    return [f"ptce/{name}_{language}.html", f"ptce/{name}_fr.html"]


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /api/", "Disallow: /connexion/"]
    # SITE_URL, not the Host header: the address a crawler is sent to is ours to say.
    lines.append(f"Sitemap: {settings.SITE_URL}/sitemap.xml")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# Error pages. Under /api/ they answer in JSON with a stable code, like the API's own errors;
# elsewhere, an HTML page in the visitor's language.


def _is_api(request):
    return request.path.startswith("/api/")


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("ptce/favicon.svg"))


def _error(request, template, status, code, message):
    if _is_api(request):
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(
        request, "400.html", 400, "bad_request", _("The request could not be understood.")
    )


def permission_denied(request, exception=None):
    return _error(request, "403.html", 403, "forbidden", _("You are not allowed to do this."))


def page_not_found(request, exception=None):
    return _error(request, "404.html", 404, "not_found", _("Nothing was found at this address."))


def server_error(request):
    message = _("Something went wrong on our side. Please try again in a few minutes.")
    if _is_api(request):
        return JsonResponse({"code": "server_error", "message": message}, status=500)
    # No request context: the context processors could touch the database or the session,
    # which may be what just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    return _error(
        request,
        "403_csrf.html",
        403,
        "csrf_failed",
        _("The form had expired. Reload the page and try again."),
    )


def rate_limited(request, exception=None):
    return _error(
        request,
        "429.html",
        429,
        "rate_limited",
        _("Too many requests. Wait a minute, then try again."),
    )


def client_ip(request):
    """The client's address for rate limits: REMOTE_ADDR, or the proxy's X-Forwarded-For."""
    if settings.HTTPS:
        # Behind our proxy, the last address it appended is the one it saw.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
