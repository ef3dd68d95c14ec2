"""The accounts app's addresses (namespace "accounts"): signing in and one's own account,
the team, API tokens and the audit log."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import account, organiser
from common.urls import edition_organiser

app_name = "accounts"

urlpatterns = [
    path("connexion/", account.LoginView.as_view(), name="login"),
    path("connexion/code/", account.login_code, name="login_code"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", account.account, name="account"),
    path("compte/confirmer/", account.reauthenticate, name="reauthenticate"),
    path("compte/mot-de-passe/", account.PasswordChangeView.as_view(), name="password_change"),
    path("compte/double-authentification/", account.two_factor, name="two_factor"),
    path("compte/double-authentification/codes/", account.recovery_codes, name="recovery_codes"),
    path("mot-de-passe-oublie/", account.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe-oublie/envoye/",
        account.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe-oublie/termine/",
        account.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # Not "invitation/<token>/": the registrations' personal invitations have that address.
    path("compte/invitation/<str:token>/", organiser.accept, name="invitation_accept"),
    path("compte/jetons/", organiser.own_tokens, name="tokens"),
    path("compte/jetons/<int:pk>/revoquer/", organiser.revoke, name="token_revoke"),
    path("gestion/equipe/", organiser.members, name="team"),
    path("gestion/equipe/inviter/", organiser.invite, name="team_invite"),
    path("gestion/equipe/roles/<int:pk>/retirer/", organiser.withdraw, name="team_withdraw"),
    path("gestion/equipe/jetons/", organiser.team_tokens, name="team_tokens"),
    path("gestion/journal/", organiser.log, name="audit"),
    path("gestion/journal.csv", organiser.log_csv, name="audit_csv"),
    edition_organiser(
        [
            path("journal/", organiser.edition_log, name="edition_audit"),
            path("journal.csv", organiser.edition_log_csv, name="edition_audit_csv"),
        ]
    ),
]
