"""The charter app's addresses (namespace "charter"): the public pages under ``charte/``,
signing it, its management under ``charte/gestion/`` and the ceremony of an edition.

A version's slug is a year (``charte/2021/``): four digits, so that the version's address
never takes the charter's other pages (``charte/signataires/``, ``charte/gestion/``…).
Other modules name a version's pages with ``reverse(..., kwargs={"version": slug})``.
"""

from django.urls import path, re_path

from charter.views import organiser, public
from common.urls import edition_organiser

app_name = "charter"

MANAGE = "charte/gestion/"

urlpatterns = [
    path("charte/", public.index, name="index"),
    path("charte/signataires/", public.signatories, name="signatories"),
    # Must be signatures.VERIFY_PATH: recognitions and receipts point to it.
    path("charte/verifier/", public.verify, name="verify"),
    path("charte/recu/<str:token>/", public.receipt, name="receipt"),
    path("charte/recu/<str:token>/recu.pdf", public.receipt_pdf, name="receipt_pdf"),
    re_path(r"^charte/(?P<version>[0-9]{4})/$", public.version, name="version"),
    path("charte/<slug:version>/signer/", public.sign, name="sign"),
    path("charte/<slug:version>/signer/envoye/", public.sign_sent, name="sign_sent"),
    path("charte/signature/<str:token>/", public.sign_confirm, name="sign_confirm"),
    path(MANAGE, organiser.manage, name="manage"),
    path(MANAGE + "versions/ajouter/", organiser.version_add, name="version_add"),
    path(MANAGE + "versions/<slug:version>/", organiser.version_edit, name="version_edit"),
    path(
        MANAGE + "versions/<slug:version>/ouverture/",
        organiser.version_opening,
        name="version_opening",
    ),
    path(MANAGE + "demandes/<int:pk>/approuver/", organiser.approve, name="approve"),
    path(MANAGE + "demandes/<int:pk>/refuser/", organiser.refuse, name="refuse"),
    path(MANAGE + "signatures/<int:pk>/revoquer/", organiser.revoke, name="revoke"),
    edition_organiser(
        [
            path("ceremonie/", organiser.ceremony, name="ceremony"),
            path("ceremonie/ouvrir/", organiser.ceremony_open, name="ceremony_open"),
            path("ceremonie/clore/", organiser.ceremony_close, name="ceremony_close"),
            path("ceremonie/rouvrir/", organiser.ceremony_reopen, name="ceremony_reopen"),
            path(
                "ceremonie/signer/<int:organisation>/",
                organiser.ceremony_record,
                name="ceremony_record",
            ),
        ]
    ),
]
