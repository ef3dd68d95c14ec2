"""Attendance after the day, under ``journees/<slug>/gestion/presence/`` (namespace
"attendance")."""

from django.urls import path

from admission import attendance_views as views

BASE = "journees/<slug:slug>/gestion/presence/"

urlpatterns = [
    path(BASE, views.page, name="page"),
    path(BASE + "presence.csv", views.figures_csv, name="csv"),
]
