"""The directory's organiser pages, under ``annuaire/gestion/`` (namespace
"directory_edit")."""

from django.urls import path

from network import edit_views as views

BASE = "annuaire/gestion/"

urlpatterns = [
    path(BASE, views.index, name="index"),
    path(BASE + "organisations/nouvelle/", views.organisation_add, name="organisation_add"),
    path(BASE + "organisations/<int:pk>/", views.organisation_edit, name="organisation"),
    path(BASE + "organisations/<int:pk>/pole/", views.pole_edit, name="pole"),
    path(BASE + "secteurs/", views.sectors, name="sectors"),
]
