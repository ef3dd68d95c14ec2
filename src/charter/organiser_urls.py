"""Organiser pages of the charter and of a national day's ceremony (namespace
"charter_organiser"), mounted at the site root.

The charter's management lives under ``charte/gestion/`` (the public version pages are
``charte/<year>/``, four digits, so they never take it); a ceremony under its edition's
organiser pages, ``journees/<slug>/gestion/ceremonie/``.
"""

from django.urls import path

from charter import organiser_views as views

CHARTER = "charte/gestion/"
CEREMONY = "journees/<slug:slug>/gestion/ceremonie/"

urlpatterns = [
    path(CHARTER, views.dashboard, name="dashboard"),
    path(CHARTER + "versions/ajouter/", views.version_add, name="version_add"),
    path(CHARTER + "versions/<slug:version>/", views.version_edit, name="version_edit"),
    path(
        CHARTER + "versions/<slug:version>/ouverture/",
        views.version_opening,
        name="version_opening",
    ),
    path(CHARTER + "demandes/<int:pk>/approuver/", views.approve, name="approve"),
    path(CHARTER + "demandes/<int:pk>/refuser/", views.refuse, name="refuse"),
    path(CHARTER + "signatures/<int:pk>/revoquer/", views.revoke, name="revoke"),
    path(CEREMONY, views.ceremony, name="ceremony"),
    path(CEREMONY + "ouvrir/", views.ceremony_open, name="ceremony_open"),
    path(CEREMONY + "clore/", views.ceremony_close, name="ceremony_close"),
    path(CEREMONY + "rouvrir/", views.ceremony_reopen, name="ceremony_reopen"),
    path(CEREMONY + "signer/<int:organisation>/", views.ceremony_record, name="ceremony_record"),
]
