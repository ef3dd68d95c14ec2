"""Online signing of the charter, under ``charte/`` (namespace "charter_signing")."""

from django.urls import path

from charter import signing_views

urlpatterns = [
    path("charte/<slug:version>/signer/", signing_views.sign, name="sign"),
    path("charte/<slug:version>/signer/envoye/", signing_views.sent, name="sent"),
    path("charte/signature/<str:token>/", signing_views.confirm, name="confirm"),
]
