"""The organisers' dashboard of an edition and its messages to attendees, under
``journees/<slug>/gestion/`` (namespace "dashboard"): the figures are the project's
(:mod:`ptce.dashboard_views`), the messages the registrations app's."""

from django.urls import include, path

from ptce import dashboard_views as views

BASE = "journees/<slug:slug>/gestion/"

urlpatterns = [
    path(BASE, views.edition, name="edition"),
    path(BASE + "chiffres/", views.fragment, name="fragment"),
    path("", include("registrations.announcement_urls")),
]
