"""The rules of signing the charter: one standing signature per organisation and version (also
when confirmations race on PostgreSQL), closed versions, who signs, the pole's recognition,
revocation, and receipt codes."""

import threading

import pytest
from django.db import connection

from charter import signatures
from charter.enums import Channel
from charter.models import Signature
from network.enums import OrganisationKind
from network.models import Recognition
from tests.factories import (
    CharterVersionFactory,
    OrganisationFactory,
    PoleFactory,
    RecognitionFactory,
)

pytestmark = [pytest.mark.django_db]


def sign(version, organisation, **details):
    return signatures.record(
        version,
        organisation,
        representative_name=details.pop("name", "Camille Exemple"),
        representative_role=details.pop("role", "Coordinatrice"),
        name_is_public=details.pop("name_is_public", False),
        channel=details.pop("channel", Channel.ONLINE),
        **details,
    )


def test_a_pole_signs_once_and_gets_the_versions_recognition():
    version = CharterVersionFactory()
    pole = PoleFactory()

    signature = sign(version, pole.organisation)

    assert Signature.objects.standing().get() == signature
    assert len(signature.receipt_code) == signatures.CODE_LENGTH
    recognition = Recognition.objects.get(pole=pole)
    assert recognition.kind == "charter_2021"
    assert recognition.source == signatures.verify_url(signature)
    with pytest.raises(signatures.SigningRefused) as refused:
        sign(version, pole.organisation, name="Autre Personne")
    assert refused.value.code == "already_signed"
    assert Signature.objects.count() == 1


def test_a_network_signs_and_other_kinds_are_refused():
    version = CharterVersionFactory()
    network = OrganisationFactory(kind=OrganisationKind.NETWORK)
    body = OrganisationFactory(kind=OrganisationKind.PUBLIC_BODY)

    sign(version, network)
    with pytest.raises(signatures.SigningRefused) as refused:
        sign(version, body)

    assert refused.value.code == "not_a_signing_kind"
    assert list(Signature.objects.values_list("organisation", flat=True)) == [network.pk]
    assert Recognition.objects.count() == 0


def test_a_closed_version_takes_no_signature():
    version = CharterVersionFactory(is_open=False)

    with pytest.raises(signatures.SigningRefused) as refused:
        sign(version, PoleFactory().organisation)

    assert refused.value.code == "version_closed"
    assert Signature.objects.count() == 0


def test_each_version_is_signed_separately():
    old = CharterVersionFactory(slug="2014", year=2014, recognition_kind="charter_2014")
    new = CharterVersionFactory()
    pole = PoleFactory()

    sign(old, pole.organisation)
    sign(new, pole.organisation)

    assert sorted(Recognition.objects.values_list("kind", flat=True)) == [
        "charter_2014",
        "charter_2021",
    ]


def test_revoking_frees_the_organisation_and_removes_only_the_recognition_it_gave():
    version = CharterVersionFactory()
    signed_pole, imported_pole = PoleFactory(), PoleFactory()
    RecognitionFactory(pole=imported_pole, kind="charter_2021", source="https://example.org/")
    first = sign(version, signed_pole.organisation)
    other = sign(version, imported_pole.organisation)

    signatures.revoke(first, reason="Signée sans mandat.")
    signatures.revoke(other, reason="Doublon.")
    signatures.revoke(first, reason="Encore")

    first.refresh_from_db()
    assert first.revocation_reason == "Signée sans mandat."
    assert list(Recognition.objects.values_list("pole", flat=True)) == [imported_pole.pk]
    again = sign(version, signed_pole.organisation)
    assert list(Signature.objects.standing().order_by("pk")) == [again]
    assert Recognition.objects.filter(pole=signed_pole).count() == 1


def test_receipt_codes_are_checked_whatever_their_typing():
    version = CharterVersionFactory()
    signature = sign(version, PoleFactory().organisation)
    code = signature.receipt_code
    typed = signatures.format_code(code).lower().replace("0", "o").replace("1", "l")

    assert signatures.verify(code) == signatures.Verification("valid", signature)
    assert signatures.verify(f"  {typed} ").status == "valid"
    signatures.revoke(signature, reason="Erreur")
    assert signatures.verify(code).status == "revoked"


@pytest.mark.parametrize(
    "typed",
    ["", "ABCD", "0" * 16, "U" * 16, "<script>", "=1+1", "A" * 10_000, None, 42, "é" * 16],
)
def test_wrong_or_malformed_codes_are_unknown(typed):
    sign(CharterVersionFactory(), PoleFactory().organisation)

    assert signatures.verify(typed) == signatures.Verification("unknown")


def test_format_groups_by_four():
    assert signatures.format_code("7KQM4XPA9TDE2B5C") == "7KQM-4XPA-9TDE-2B5C"
    assert signatures.normalise_code("7kqm 4xpa-9tde-2b5c") == "7KQM4XPA9TDE2B5C"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_give_one_signature():
    version = CharterVersionFactory()
    pole = PoleFactory()
    barrier = threading.Barrier(8)
    outcomes = []

    def confirm(index):
        try:
            barrier.wait()
            sign(version, pole.organisation, name=f"Personne {index}")
            outcomes.append("signed")
        except signatures.SigningRefused as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_signed"] * 7 + ["signed"]
    assert Signature.objects.standing().count() == 1
    assert Recognition.objects.filter(pole=pole).count() == 1
