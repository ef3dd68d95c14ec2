"""The venue's entrances, under ``journees/<slug>/gestion/entrees/`` (namespace
"entrances")."""

from django.urls import path

from admission import entrance_views as views

BASE = "journees/<slug:slug>/gestion/entrees/"

urlpatterns = [
    path(BASE, views.entrance_list, name="list"),
    path(BASE + "ajouter/", views.add, name="add"),
    path(BASE + "<int:pk>/", views.edit, name="edit"),
    path(BASE + "<int:pk>/monter/", views.move, {"direction": "up"}, name="move_up"),
    path(BASE + "<int:pk>/descendre/", views.move, {"direction": "down"}, name="move_down"),
    path(BASE + "<int:pk>/supprimer/", views.delete, name="delete"),
]
