"""Registration categories and quotas, under ``journees/<slug>/gestion/categories/``
(namespace "categories")."""

from django.urls import path

from registrations import category_views as views

BASE = "journees/<slug:slug>/gestion/categories/"

urlpatterns = [
    path(BASE, views.category_list, name="list"),
    path(BASE + "ajouter/", views.add, name="add"),
    path(BASE + "<int:pk>/", views.edit, name="edit"),
    path(BASE + "<int:pk>/supprimer/", views.delete, name="delete"),
]
