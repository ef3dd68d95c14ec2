"""Site-wide pages: legal notices, errors, robots.txt, and the rate-limit answer."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


def privacy(request):
    return render(request, "ptce/privacy.html")


def accessibility(request):
    return render(request, "ptce/accessibility.html")


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /api/", "Disallow: /connexion/"]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _error(request, template, status):
    return render(request, template, status=status)


def bad_request(request, exception=None):
    return _error(request, "400.html", 400)


def permission_denied(request, exception=None):
    return _error(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error(request, "404.html", 404)


def server_error(request):
    return _error(request, "500.html", 500)


def csrf_failure(request, reason=""):
    return _error(request, "403_csrf.html", 403)


def rate_limited(request, exception=None):
    return _error(request, "429.html", 429)


def client_ip(request):
    """The client's address for rate limits: REMOTE_ADDR, or the proxy's X-Forwarded-For."""
    from django.conf import settings

    if settings.HTTPS:
        # Behind our proxy, the last address it appended is the one it saw.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
