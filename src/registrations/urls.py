from django.urls import path

from registrations import views

urlpatterns = [
    path("journees/<slug:slug>/inscription/", views.register, name="register"),
    path(
        "journees/<slug:slug>/inscription/confirmation/<str:token>/",
        views.registered,
        name="registered",
    ),
    path("journees/<slug:slug>/inscription/lien/", views.lost_link, name="lost_link"),
    path("journees/<slug:slug>/participants/", views.participants, name="participants"),
    path("inscription/<str:token>/", views.manage, name="manage"),
    path("inscription/<str:token>/annuler/", views.cancel, name="cancel"),
    path("inscription/<str:token>/je-viens/", views.reconfirm, name="reconfirm"),
    path("inscription/<str:token>/mes-donnees/", views.my_data, name="my_data"),
    path("inscription/<str:token>/supprimer/", views.erase, name="erase"),
    path("invitation/<str:code>/", views.invitation, name="invitation"),
]
