"""Editing an edition, its venue and its programme, under ``journees/<slug>/gestion/``, and
a new edition under ``gestion/journees/nouvelle/`` (namespace "edit")."""

from django.urls import path

from events import edit_views as views

BASE = "journees/<slug:slug>/gestion/"

urlpatterns = [
    path("gestion/journees/nouvelle/", views.new_edition, name="new_edition"),
    path(BASE + "parametres/", views.settings, name="settings"),
    path(BASE + "lieu/", views.venue, name="venue"),
    path(BASE + "lieu/nouveau/", views.new_venue, name="new_venue"),
    path(BASE + "programme/", views.programme, name="programme"),
    path(BASE + "programme/seances/nouvelle/", views.session_add, name="session_add"),
    path(BASE + "programme/seances/<int:pk>/", views.session_edit, name="session_edit"),
    path(
        BASE + "programme/seances/<int:pk>/supprimer/",
        views.session_delete,
        name="session_delete",
    ),
    path(BASE + "programme/intervenants/nouveau/", views.speaker_add, name="speaker_add"),
    path(BASE + "programme/intervenants/<int:pk>/", views.speaker_edit, name="speaker_edit"),
    path(
        BASE + "programme/intervenants/<int:pk>/supprimer/",
        views.speaker_delete,
        name="speaker_delete",
    ),
]
