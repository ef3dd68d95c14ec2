"""The organisers' messages to attendees, under ``journees/<slug>/gestion/message/``: in the
namespace "dashboard", with the dashboard's figures (:mod:`ptce.dashboard_urls` mounts both)."""

from django.urls import path

from registrations import announcement_views as views

BASE = "journees/<slug:slug>/gestion/"

urlpatterns = [
    path(BASE + "message/", views.message, name="message"),
]
