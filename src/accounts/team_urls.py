"""The team, API token and audit log pages (namespace ``team``)."""

from django.urls import path

from accounts import audit_views, team_views, token_views

urlpatterns = [
    path("gestion/equipe/", team_views.members, name="members"),
    path("gestion/equipe/inviter/", team_views.invite, name="invite"),
    path("gestion/equipe/roles/<int:pk>/retirer/", team_views.withdraw, name="withdraw"),
    path("gestion/equipe/jetons/", token_views.team_tokens, name="team_tokens"),
    # Not "invitation/<token>/": the registrations' personal invitations have that address.
    path("compte/invitation/<str:token>/", team_views.accept, name="accept"),
    path("compte/jetons/", token_views.own_tokens, name="tokens"),
    path("compte/jetons/<int:pk>/revoquer/", token_views.revoke, name="token_revoke"),
    path("gestion/journal/", audit_views.log, name="audit"),
    path("gestion/journal.csv", audit_views.log_csv, name="audit_csv"),
    path("journees/<slug:slug>/gestion/journal/", audit_views.edition_log, name="edition_audit"),
    path(
        "journees/<slug:slug>/gestion/journal.csv",
        audit_views.edition_log_csv,
        name="edition_audit_csv",
    ),
]
