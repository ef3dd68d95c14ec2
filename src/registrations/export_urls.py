"""The exports of an edition, under ``journees/<slug>/gestion/exports/``: the page and the
files of people. In the namespace "exports", with the figures file, which spans registrations
and admission (:mod:`ptce.export_urls` mounts both). Each file takes ``?format=csv`` (the
default) or ``?format=xlsx``."""

from django.urls import path

from registrations import export_views as views

BASE = "journees/<slug:slug>/gestion/exports/"

urlpatterns = [
    path(BASE, views.page, name="page"),
    path(BASE + "inscriptions/", views.registrations, name="registrations"),
    path(BASE + "participants/", views.participants, name="participants"),
]
