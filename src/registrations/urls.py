"""The registrations app's addresses (namespace "registrations"): registering and the
attendee's own pages, and an edition's organiser pages of registrations, invitations,
categories, workshops, messages, personal data and exports under ``journees/<slug>/gestion/``.

Each export takes ``?format=csv`` (the default) or ``?format=xlsx``.
"""

from django.urls import path

from common.urls import edition_organiser
from registrations.views import changes, organiser, public, workshops

app_name = "registrations"

urlpatterns = [
    path("journees/<slug:slug>/inscription/", public.register, name="register"),
    path(
        "journees/<slug:slug>/inscription/confirmation/<str:token>/",
        public.registered,
        name="registered",
    ),
    path("journees/<slug:slug>/inscription/lien/", public.lost_link, name="lost_link"),
    path("journees/<slug:slug>/participants/", public.participants, name="participants"),
    path("inscription/<str:token>/", public.manage, name="manage"),
    path("inscription/<str:token>/annuler/", public.cancel, name="cancel"),
    path("inscription/<str:token>/je-viens/", public.reconfirm, name="reconfirm"),
    path("inscription/<str:token>/categorie/", public.move_category, name="move_category"),
    path("inscription/<str:token>/mes-donnees/", public.my_data, name="my_data"),
    path("inscription/<str:token>/ateliers/", public.workshop_choose, name="workshop_choose"),
    path(
        "inscription/<str:token>/ateliers/<int:pk>/quitter/",
        public.workshop_leave,
        name="workshop_leave",
    ),
    path(
        "inscription/<str:token>/ateliers/<int:pk>/en-attendant/",
        public.workshop_meanwhile,
        name="workshop_meanwhile",
    ),
    path(
        "inscription/<str:token>/ateliers/<int:pk>/offre/",
        public.workshop_offer,
        name="workshop_offer",
    ),
    path("inscription/<str:token>/supprimer/", public.erase, name="erase"),
    path(
        "inscription/<str:token>/groupe/<int:pk>/renvoyer/",
        public.group_resend,
        name="group_resend",
    ),
    path(
        "inscription/<str:token>/groupe/<int:pk>/annuler/",
        public.group_cancel,
        name="group_cancel",
    ),
    path("invitation/<str:code>/", public.invitation, name="invitation"),
    edition_organiser(
        [
            path("inscriptions/", organiser.registration_list, name="list"),
            path("inscriptions/ajouter/", organiser.add, name="add"),
            path("inscriptions/<int:pk>/", organiser.registration_detail, name="detail"),
            path(
                "inscriptions/<int:pk>/annuler/",
                organiser.registration_cancel,
                name="registration_cancel",
            ),
            path("inscriptions/<int:pk>/promouvoir/", organiser.promote, name="promote"),
            path(
                "inscriptions/<int:pk>/modifier/",
                organiser.registration_edit,
                name="registration_edit",
            ),
            path(
                "inscriptions/<int:pk>/categorie/",
                organiser.change_category,
                name="change_category",
            ),
            path("inscriptions/selection/", organiser.selection, name="selection"),
            path("inscriptions/<int:pk>/renvoyer/", organiser.resend, name="resend"),
            path("inscriptions/prevenir/", changes.notify_change, name="notify_change"),
            path("inscriptions/invitations/", organiser.invitations, name="invitations"),
            path("inscriptions/invitations/personnelle/", organiser.invite, name="invite"),
            path("inscriptions/invitations/groupe/", organiser.group_code, name="group_code"),
            path("inscriptions/invitations/<int:pk>/revoquer/", organiser.revoke, name="revoke"),
            path(
                "inscriptions/courriels-en-echec/",
                organiser.failed_emails,
                name="failed_emails",
            ),
            path(
                "inscriptions/courriels-en-echec/<int:pk>/renvoyer/",
                organiser.resend_email,
                name="resend_email",
            ),
            path("categories/", organiser.categories, name="categories"),
            path("categories/ajouter/", organiser.category_add, name="category_add"),
            path("categories/<int:pk>/", organiser.category_edit, name="category_edit"),
            path(
                "categories/<int:pk>/supprimer/",
                organiser.category_delete,
                name="category_delete",
            ),
            path("message/", organiser.message, name="message"),
            path(
                "message/apercu/<uuid:key>/<str:language>/",
                organiser.message_preview,
                name="message_preview",
            ),
            path("donnees-personnelles/", organiser.privacy_page, name="privacy"),
            path(
                "donnees-personnelles/<int:pk>/copie/",
                organiser.privacy_copy,
                name="privacy_copy",
            ),
            path(
                "donnees-personnelles/<int:pk>/supprimer/",
                organiser.privacy_erase,
                name="privacy_erase",
            ),
            path("ateliers/", workshops.workshop_list, name="workshops"),
            path("ateliers/<int:pk>/", workshops.workshop_detail, name="workshop"),
            path("ateliers/<int:pk>/deplacer/", workshops.workshop_move, name="workshop_move"),
            path(
                "ateliers/<int:pk>/places/", workshops.workshop_capacity, name="workshop_capacity"
            ),
            path(
                "ateliers/<int:pk>/liste.<str:export_format>",
                workshops.workshop_sheet,
                name="workshop_sheet",
            ),
            path("exports/", organiser.exports_page, name="exports"),
            path(
                "exports/inscriptions/",
                organiser.export_registrations,
                name="export_registrations",
            ),
            path(
                "exports/participants/",
                organiser.export_participants,
                name="export_participants",
            ),
        ]
    ),
]
