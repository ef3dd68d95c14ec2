"""The organisers' dashboard of an edition and its messages to attendees, under
``journees/<slug>/gestion/`` (namespace "dashboard")."""

from django.urls import path

from registrations import dashboard_views as views

BASE = "journees/<slug:slug>/gestion/"

urlpatterns = [
    path(BASE, views.edition, name="edition"),
    path(BASE + "chiffres/", views.fragment, name="fragment"),
    path(BASE + "message/", views.message, name="message"),
]
