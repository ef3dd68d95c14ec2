"""Organiser pages of the venue's security list, under ``journees/<slug>/gestion/liste-securite/``.

No namespace of its own: the project mounts it at the site root with the namespace
"security" (``path("", include(("admission.security_urls", "security")))``).
"""

from django.urls import path

from admission import security_views as views

BASE = "journees/<slug:slug>/gestion/liste-securite/"

urlpatterns = [
    path(BASE, views.versions, name="list"),
    path(BASE + "generer/", views.generate, name="generate"),
    path(BASE + "version-<int:number>/liste.<str:export_format>", views.download, name="download"),
    path(
        BASE + "version-<int:number>/changements.<str:export_format>",
        views.download,
        {"changes_only": True},
        name="changes",
    ),
]
