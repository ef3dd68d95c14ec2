from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from events import views as events_views
from ptce import health, views
from ptce.api import api
from ptce.sitemaps import SITEMAPS

handler400 = "common.errors.bad_request"
handler403 = "common.errors.permission_denied"
handler404 = "common.errors.page_not_found"
handler500 = "common.errors.server_error"

urlpatterns = [
    path("", events_views.home, name="home"),
    path("", include("events.urls")),
    path("", include("accounts.urls")),
    path("", include("network.urls")),
    path("", include(("registrations.urls", "registrations"))),
    path("", include(("registrations.organiser_urls", "registrations_organiser"))),
    path("", include(("admission.urls", "admission"))),
    path("", include(("admission.security_urls", "security"))),
    path("", include(("admission.badge_urls", "badges"))),
    path("", include(("admission.checkin_urls", "checkin"))),
    path("", include(("admission.attendance_urls", "attendance"))),
    path("", include(("charter.urls", "charter"))),
    path("", include(("charter.signing_urls", "charter_signing"))),
    path("", include(("charter.organiser_urls", "charter_organiser"))),
    # The organisers' area (issue 7).
    path("", include(("ptce.organiser_urls", "organiser"))),
    path("", include(("events.edit_urls", "edit"))),
    path("", include(("ptce.dashboard_urls", "dashboard"))),
    path("", include(("ptce.export_urls", "exports"))),
    path("", include(("registrations.privacy_urls", "privacy_organiser"))),
    path("", include(("registrations.category_urls", "categories"))),
    path("", include(("admission.entrance_urls", "entrances"))),
    path("", include(("accounts.team_urls", "team"))),
    path("", include(("network.edit_urls", "directory_edit"))),
    path("confidentialite/", views.privacy, name="privacy"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("plan-du-site/", views.site_map, name="site_map"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
