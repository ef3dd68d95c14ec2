"""Site-wide pages: legal notices, the site map, robots.txt and the favicon. The error pages
and the rate-limit answer are the kernel's (:mod:`common.errors`)."""

from django.conf import settings
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from events.models import Edition
from registrations.privacy import personal_data_due_at, venue_data_due_at

#: Days listed with their own retention periods on the privacy notice (the latest first).
PRIVACY_EDITIONS_SHOWN = 10


def privacy(request):
    """The privacy notice, with the retention periods: the defaults, and those of the public
    days whose attendees' data is still kept."""
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


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("ptce/favicon.svg"))
