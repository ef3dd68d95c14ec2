"""The exports of an edition, under ``journees/<slug>/gestion/exports/`` (namespace
"exports"). Each file takes ``?format=csv`` (the default) or ``?format=xlsx``."""

from django.urls import path

from registrations import export_views as views

BASE = "journees/<slug:slug>/gestion/exports/"

urlpatterns = [
    path(BASE, views.page, name="page"),
    path(BASE + "inscriptions/", views.registrations, name="registrations"),
    path(BASE + "participants/", views.participants, name="participants"),
    path(BASE + "chiffres/", views.figures, name="figures"),
]
