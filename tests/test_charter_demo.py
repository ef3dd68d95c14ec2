"""The charter's demonstration data (charter.demo, loaded by `ptce demo`): two versions with
texts marked as placeholders, and signatures by fictional organisations only, online and at
the demonstration edition's ceremony; loading twice adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from charter import signatures
from charter.demo import load_charter_demo
from charter.enums import Channel
from charter.models import Ceremony, CharterVersion, Signature
from events.models import Edition
from network.models import Organisation, Recognition
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_settings(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.HTTPS = False
    monkeypatch.delenv("PTCE_PASSWORD", raising=False)


def run_demo():
    with translation.override("fr"):
        call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def loaded():
    run_demo()


def charter_rows():
    out = io.StringIO()
    call_command("dumpdata", "charter", "network.recognition", indent=1, stdout=out)
    return out.getvalue()


def test_demo_has_both_versions_with_texts_marked_as_placeholders(loaded):
    versions = list(CharterVersion.objects.order_by("year"))

    assert [(v.slug, v.year, v.is_open) for v in versions] == [
        ("2014", 2014, False),
        ("2021", 2021, True),
    ]
    for version in versions:
        version.full_clean()
        assert version.text_is_placeholder
        assert version.text.startswith("Texte provisoire de démonstration — ce n'est pas le texte")
        assert version.adopted_on is None  # not in the sources


def test_demo_signatures_are_by_fictional_organisations_only(loaded):
    signed = Signature.objects.select_related("organisation")

    assert signed.count() == 6
    assert all(s.organisation.is_fictional and "Exemple" in s.organisation.name for s in signed)
    assert not Signature.objects.filter(organisation__is_fictional=False).exists()
    assert all("Exemple" in s.representative_name for s in signed)
    assert not Signature.objects.filter(version__slug="2014").exists()


def test_demo_signs_online_and_opens_the_demonstration_ceremony_with_no_signature_yet(loaded):
    demonstration = Edition.objects.get(slug="demonstration")
    ceremony = Ceremony.objects.get()

    assert (ceremony.edition, ceremony.version.slug, ceremony.is_open) == (
        demonstration,
        "2021",
        True,
    )
    assert ceremony.opened_by.username == "organisatrice"
    # The demonstration day is weeks ahead: nothing is signed "on stage" before it.
    assert not Signature.objects.filter(channel=Channel.CEREMONY).exists()
    online = Signature.objects.filter(channel=Channel.ONLINE)
    assert online.count() == 6
    assert not online.filter(edition__isnull=False).exists()
    assert max(online.values_list("signed_at", flat=True)) < timezone.now()
    assert set(Signature.objects.values_list("name_is_public", flat=True)) == {True, False}
    # Pôle Exemple des Deux-Rives is left to try the ceremony with.
    assert not Signature.objects.filter(organisation__slug="pole-exemple-des-deux-rives").exists()


def test_demo_signatures_have_valid_receipts_and_give_fictional_poles_their_recognition(loaded):
    for signature in Signature.objects.all():
        assert signatures.verify(signature.receipt_code).status == "valid"
    recognised = Recognition.objects.filter(kind="charter_2021")
    assert all(r.pole.organisation.is_fictional for r in recognised)
    assert set(recognised.values_list("pole__organisation__slug", flat=True)) == {
        "pole-exemple-du-haut-val",
        "pole-exemple-des-marais",
        "pole-exemple-des-coteaux",
        "pole-exemple-du-bocage",
    }


def test_running_the_demo_twice_adds_nothing(loaded):
    before = charter_rows()

    run_demo()

    assert charter_rows() == before


def test_a_revoked_or_changed_demo_row_is_left_as_it_is(loaded):
    signature = Signature.objects.get(organisation__slug="pole-exemple-des-coteaux")
    signatures.revoke(signature, reason="Essai")
    CharterVersion.objects.filter(slug="2021").update(
        text="Le vrai texte", text_is_placeholder=False
    )

    run_demo()

    assert Signature.objects.filter(organisation__slug="pole-exemple-des-coteaux").count() == 1
    version = CharterVersion.objects.get(slug="2021")
    assert (version.text, version.text_is_placeholder) == ("Le vrai texte", False)


def test_a_real_organisation_with_a_demo_slug_is_never_signed():
    OrganisationFactory(
        name="Pôle des Coteaux", slug="pole-exemple-des-coteaux", is_fictional=False
    )

    load_charter_demo()

    assert not Organisation.objects.get(slug="pole-exemple-des-coteaux").charter_signatures.exists()
