"""The network app's addresses (namespace "network"): the public directory and map under
``poles/``, and the directory's management under ``annuaire/``."""

from django.urls import path

from network.views import organiser, public

app_name = "network"

MANAGE = "annuaire/gestion/"

urlpatterns = [
    path("poles/", public.directory, name="directory"),
    path("poles/carte/", public.map_page, name="map"),
    path("poles/<slug:slug>/", public.pole, name="pole"),
    path("annuaire/import/", organiser.import_poles, name="import"),
    path("annuaire/export.csv", organiser.export_poles, name="export"),
    path(MANAGE, organiser.manage, name="manage"),
    path(MANAGE + "organisations/nouvelle/", organiser.organisation_add, name="organisation_add"),
    path(MANAGE + "organisations/<int:pk>/", organiser.organisation_edit, name="organisation"),
    path(MANAGE + "organisations/<int:pk>/pole/", organiser.pole_edit, name="pole_edit"),
    path(MANAGE + "secteurs/", organiser.sectors, name="sectors"),
]
