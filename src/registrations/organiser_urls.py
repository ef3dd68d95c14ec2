"""Organiser pages of registrations, under ``journees/<slug>/gestion/inscriptions/``; mounted at
the site root with the namespace "registrations_organiser"."""

from django.urls import path

from registrations import organiser_views as views

BASE = "journees/<slug:slug>/gestion/inscriptions/"

urlpatterns = [
    path(BASE, views.registration_list, name="list"),
    path(BASE + "ajouter/", views.add, name="add"),
    path(BASE + "<int:pk>/", views.registration_detail, name="detail"),
    path(BASE + "<int:pk>/annuler/", views.cancel, name="cancel"),
    path(BASE + "<int:pk>/promouvoir/", views.promote, name="promote"),
    path(BASE + "<int:pk>/renvoyer/", views.resend, name="resend"),
    path(BASE + "invitations/", views.invitations, name="invitations"),
    path(BASE + "invitations/personnelle/", views.invite, name="invite"),
    path(BASE + "invitations/groupe/", views.group_code, name="group_code"),
    path(BASE + "invitations/<int:pk>/revoquer/", views.revoke, name="revoke"),
    path(BASE + "courriels-en-echec/", views.failed_emails, name="failed_emails"),
    path(BASE + "courriels-en-echec/<int:pk>/renvoyer/", views.resend_email, name="resend_email"),
]
