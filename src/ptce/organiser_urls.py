"""The organisers' home and copying an edition, under ``gestion/`` (namespace "organiser")."""

from django.urls import path

from ptce import organiser_views as views

urlpatterns = [
    path("gestion/", views.home, name="home"),
    path("gestion/journees/<slug:slug>/copier/", views.copy, name="copy"),
]
