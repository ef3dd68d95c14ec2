from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("journees/<slug:slug>/", views.edition, name="edition"),
    path("journees/<slug:slug>/programme/", views.programme, name="programme"),
    path("journees/<slug:slug>/intervenants/<slug:speaker>/", views.speaker, name="speaker"),
    path("journees/<slug:slug>/journee.ics", views.edition_ics, name="edition_ics"),
    path("journees/<slug:slug>/programme/<int:session>.ics", views.session_ics, name="session_ics"),
]
