"""The admission app's addresses (namespace "admission"): the ticket, the check-in app, and
the organiser pages of the security list, the entrances, the badges and attendance.

The check-in app's addresses are stable: agents install it on a phone from ``controle/``,
and the service worker's scope is that folder.
"""

from django.urls import path

from admission.views import checkin, organiser, public
from common.urls import edition_organiser

app_name = "admission"

urlpatterns = [
    path("inscription/<str:token>/billet/", public.ticket, name="ticket"),
    path("inscription/<str:token>/billet.pdf", public.ticket_pdf, name="ticket_pdf"),
    path("inscription/<str:token>/billet.ics", public.ticket_ics, name="ticket_ics"),
    path("inscription/<str:token>/billet.svg", public.ticket_qr, name="ticket_qr"),
    path("inscription/<str:token>/attestation.pdf", public.certificate, name="certificate"),
    path("controle/", checkin.pick, name="checkin_pick"),
    path("controle/sw.js", checkin.service_worker, name="checkin_service_worker"),
    path("controle/manifest.webmanifest", checkin.manifest, name="checkin_manifest"),
    path("controle/<slug:slug>/", checkin.app, name="checkin"),
    edition_organiser(
        [
            path("liste-securite/", organiser.security_list_page, name="security_list"),
            path("liste-securite/generer/", organiser.security_generate, name="security_generate"),
            path(
                "liste-securite/version-<int:number>/liste.<str:export_format>",
                organiser.security_download,
                name="security_download",
            ),
            path(
                "liste-securite/version-<int:number>/changements.<str:export_format>",
                organiser.security_download,
                {"changes_only": True},
                name="security_changes",
            ),
            path("entrees/", organiser.entrances, name="entrances"),
            path("controle/repetition/", organiser.rehearsal, name="rehearsal"),
            path("controle/repetition/clore/", organiser.rehearsal_close, name="rehearsal_close"),
            path("entrees/ajouter/", organiser.entrance_add, name="entrance_add"),
            path("entrees/<int:pk>/", organiser.entrance_edit, name="entrance_edit"),
            path(
                "entrees/<int:pk>/monter/",
                organiser.entrance_move,
                {"direction": "up"},
                name="entrance_up",
            ),
            path(
                "entrees/<int:pk>/descendre/",
                organiser.entrance_move,
                {"direction": "down"},
                name="entrance_down",
            ),
            path("entrees/<int:pk>/supprimer/", organiser.entrance_delete, name="entrance_delete"),
            path("badges/", organiser.badges_page, name="badges"),
            path("badges/badges.pdf", organiser.all_badges, name="badges_pdf"),
            path("badges/<int:pk>.pdf", organiser.one_badge, name="badge_pdf"),
            path("presence/", organiser.attendance_page, name="attendance"),
            path("presence/presence.csv", organiser.attendance_csv, name="attendance_csv"),
        ]
    ),
]
