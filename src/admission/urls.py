from django.urls import path

from admission import views

urlpatterns = [
    path("inscription/<str:token>/billet/", views.ticket, name="ticket"),
    path("inscription/<str:token>/billet.pdf", views.ticket_pdf, name="ticket_pdf"),
    path("inscription/<str:token>/billet.ics", views.ticket_ics, name="ticket_ics"),
    path("inscription/<str:token>/billet.svg", views.ticket_qr, name="ticket_qr"),
    path("inscription/<str:token>/attestation.pdf", views.certificate, name="certificate"),
]
