"""The project's URL configuration: each app's ``urls.py`` at the site root, in its own
namespace named after the app (organiser pages of an edition under
``journees/<slug>/gestion/``, see :mod:`common.urls`), the project's own pages without a
namespace, the API and the admin."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from common.urls import edition_organiser
from ptce import health
from ptce.api import api
from ptce.sitemaps import SITEMAPS
from ptce.views import organiser, public

handler400 = "common.errors.bad_request"
handler403 = "common.errors.permission_denied"
handler404 = "common.errors.page_not_found"
handler500 = "common.errors.server_error"

urlpatterns = [
    path("", include("events.urls")),
    path("", include("accounts.urls")),
    path("", include("network.urls")),
    path("", include("registrations.urls")),
    path("", include("admission.urls")),
    path("", include("charter.urls")),
    path("", include("feedback.urls")),
    # The project's pages: the organisers' home, and an edition's dashboard and figures, which
    # span registrations and admission.
    path("gestion/", organiser.organiser_home, name="organiser_home"),
    path("gestion/journees/<slug:slug>/copier/", organiser.edition_copy, name="edition_copy"),
    edition_organiser(
        [
            path("", organiser.dashboard, name="dashboard"),
            path("chiffres/", organiser.dashboard_fragment, name="dashboard_fragment"),
            path("exports/chiffres/", organiser.figures_export, name="figures_export"),
            path("bilan/", organiser.report, name="report"),
            path("bilan/textes/", organiser.report_texts, name="report_texts"),
            path("bilan/bilan.pdf", organiser.report_download, name="report_pdf"),
        ]
    ),
    path("confidentialite/", public.privacy, name="privacy"),
    path("accessibilite/", public.accessibility, name="accessibility"),
    path("plan-du-site/", public.site_map, name="site_map"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", public.robots_txt, name="robots_txt"),
    path("favicon.ico", public.favicon, name="favicon"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
