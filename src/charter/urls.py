"""Public pages of the charter, under ``charte/`` (namespace "charter").

A version's slug is a year (``charte/2021/``): four digits, so that the version's address
never takes the charter's other pages (``charte/signataires/``, ``charte/gestion/``…).
Other modules name a version's pages with ``reverse(..., kwargs={"version": slug})``.
"""

from django.urls import path, re_path

from charter import views

urlpatterns = [
    path("charte/", views.index, name="index"),
    path("charte/signataires/", views.signatories, name="signatories"),
    # Must be signatures.VERIFY_PATH: recognitions and receipts point to it.
    path("charte/verifier/", views.verify, name="verify"),
    path("charte/recu/<str:token>/", views.receipt, name="receipt"),
    path("charte/recu/<str:token>/recu.pdf", views.receipt_pdf, name="receipt_pdf"),
    re_path(r"^charte/(?P<version>[0-9]{4})/$", views.version, name="version"),
]
