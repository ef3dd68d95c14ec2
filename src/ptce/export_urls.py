"""The exports of an edition, under ``journees/<slug>/gestion/exports/`` (namespace
"exports"). Each file takes ``?format=csv`` (the default) or ``?format=xlsx``. The page and
the files of people are the registrations app's; the figures file is the project's, as the
figures span registrations and admission (:mod:`ptce.dashboard_views`)."""

from django.urls import include, path

from ptce import dashboard_views

BASE = "journees/<slug:slug>/gestion/exports/"

urlpatterns = [
    path("", include("registrations.export_urls")),
    path(BASE + "chiffres/", dashboard_views.figures, name="figures"),
]
