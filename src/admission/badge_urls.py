"""Organiser pages of the badges, under ``journees/<slug>/gestion/badges/``.

No namespace of its own: the project mounts it at the site root with the namespace
"badges" (``path("", include(("admission.badge_urls", "badges")))``).
"""

from django.urls import path

from admission import badge_views as views

BASE = "journees/<slug:slug>/gestion/badges/"

urlpatterns = [
    path(BASE, views.page, name="page"),
    path(BASE + "badges.pdf", views.all_badges, name="all"),
    path(BASE + "<int:pk>.pdf", views.one_badge, name="one"),
]
