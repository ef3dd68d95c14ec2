from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/code/", views.login_code, name="login_code"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", views.account, name="account"),
    path("compte/confirmer/", views.reauthenticate, name="reauthenticate"),
    path("compte/mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("compte/double-authentification/", views.two_factor, name="two_factor"),
    path("compte/double-authentification/codes/", views.recovery_codes, name="recovery_codes"),
    path("mot-de-passe-oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe-oublie/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe-oublie/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
