"""The check-in web app for agents, under ``controle/`` (namespace "checkin").

The addresses are stable: agents install the app on a phone from ``controle/``, and the
service worker's scope is that folder.
"""

from django.urls import path

from admission import checkin_views as views

urlpatterns = [
    path("controle/", views.pick, name="pick"),
    path("controle/sw.js", views.service_worker, name="service_worker"),
    path("controle/manifest.webmanifest", views.manifest, name="manifest"),
    path("controle/<slug:slug>/", views.app, name="app"),
]
