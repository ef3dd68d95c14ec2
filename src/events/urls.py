"""The events app's addresses (namespace "events"): the home page, an edition's public pages,
and its organiser pages (settings, venue, programme) under ``journees/<slug>/gestion/``."""

from django.urls import path

from common.urls import edition_organiser
from events.views import materials, organiser, public

app_name = "events"

urlpatterns = [
    path("", public.home, name="home"),
    path("journees/<slug:slug>/", public.edition, name="edition"),
    path("journees/<slug:slug>/programme/", public.programme, name="programme"),
    path("journees/<slug:slug>/intervenants/<slug:speaker>/", public.speaker, name="speaker"),
    path("journees/<slug:slug>/journee.ics", public.edition_ics, name="edition_ics"),
    path(
        "journees/<slug:slug>/programme/<int:session>.ics", public.session_ics, name="session_ics"
    ),
    path(
        "journees/<slug:slug>/documents/<int:pk>/<str:name>",
        materials.material,
        name="material",
    ),
    path("gestion/journees/nouvelle/", organiser.new_edition, name="new_edition"),
    edition_organiser(
        [
            path("parametres/", organiser.settings, name="settings"),
            path("lieu/", organiser.venue, name="venue"),
            path("lieu/nouveau/", organiser.new_venue, name="new_venue"),
            path("programme/", organiser.edit_programme, name="edit_programme"),
            path("programme/seances/nouvelle/", organiser.session_add, name="session_add"),
            path("programme/seances/<int:pk>/", organiser.session_edit, name="session_edit"),
            path(
                "programme/seances/<int:pk>/supprimer/",
                organiser.session_delete,
                name="session_delete",
            ),
            path("programme/documents/", materials.material_list, name="material_list"),
            path(
                "programme/documents/fichier/",
                materials.material_file_add,
                name="material_file_add",
            ),
            path(
                "programme/documents/lien/", materials.material_link_add, name="material_link_add"
            ),
            path("programme/documents/<int:pk>/", materials.material_edit, name="material_edit"),
            path(
                "programme/documents/<int:pk>/supprimer/",
                materials.material_delete,
                name="material_delete",
            ),
            path("programme/intervenants/nouveau/", organiser.speaker_add, name="speaker_add"),
            path("programme/intervenants/<int:pk>/", organiser.speaker_edit, name="speaker_edit"),
            path(
                "programme/intervenants/<int:pk>/supprimer/",
                organiser.speaker_delete,
                name="speaker_delete",
            ),
        ]
    ),
]
