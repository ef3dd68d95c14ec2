"""The organisers' page of an edition's personal data, under
``journees/<slug>/gestion/donnees-personnelles/``; mounted at the site root with the namespace
"privacy_organiser"."""

from django.urls import path

from registrations import privacy_views as views

BASE = "journees/<slug:slug>/gestion/donnees-personnelles/"

urlpatterns = [
    path(BASE, views.page, name="page"),
    path(BASE + "<int:pk>/copie/", views.copy, name="copy"),
    path(BASE + "<int:pk>/supprimer/", views.erase, name="erase"),
]
