"""Copying an edition to prepare the next one: settings, programme, categories and entrances
copied with dates shifted; people, tickets and keys never; who may copy."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from admission import keys
from admission.models import CheckIn, EditionKey, Entrance, SecurityList
from events.copying import copy_edition
from events.enums import EditionStatus
from events.models import PARIS, Edition, Material, MaterialKind, MaterialPublication
from events.signals import edition_copied
from registrations.models import Announcement, Booking, Category, Invitation, Registration
from tests.auth import log_in
from tests.factories import (
    BookingFactory,
    CategoryFactory,
    EntranceFactory,
    InvitationFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = [pytest.mark.django_db]

SOURCE_DAY = dt.date(2030, 6, 20)
NEW_DAY = dt.date(2031, 6, 19)  # 364 days later.


def paris(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


@pytest.fixture
def source(cast):
    edition = cast.edition
    edition.date = SOURCE_DAY
    edition.number = 12
    edition.capacity = 250
    edition.has_waiting_list = False
    edition.registration_opens_at = paris(dt.date(2030, 3, 1), 9)
    edition.registration_closes_at = paris(dt.date(2030, 6, 10), 18)
    edition.security_fields = ["birth_date"]
    edition.security_list_first_deadline = paris(dt.date(2030, 6, 1), 12)
    edition.security_list_final_deadline = paris(dt.date(2030, 6, 12), 12)
    edition.reconfirmation_days = 5
    edition.personal_data_retention_days = 90
    edition.save()
    edition.partners.set([OrganisationFactory(name="Partenaire Exemple")])
    speaker = SpeakerFactory(edition=edition, name="Oratrice Exemple")
    session = SessionFactory(
        edition=edition, title="Plénière", start_time=dt.time(10), end_time=dt.time(11)
    )
    session.speakers.set([speaker])
    participant = CategoryFactory(
        edition=edition, name="Participant", slug="participant", quota=200, position=0
    )
    CategoryFactory(
        edition=edition,
        name="Pôle",
        slug="pole",
        quota=100,
        organisation_cap=3,
        is_public=False,
        position=1,
    )
    EntranceFactory(edition=edition, name="Entrée A", slug="a", position=0)
    registration = RegistrationFactory(
        edition=edition, category=participant, booking=BookingFactory(edition=edition)
    )
    InvitationFactory(edition=edition, category=participant)
    CheckIn.objects.create(
        edition=edition,
        registration=registration,
        entrance=Entrance.objects.get(edition=edition),
        nonce="n1",
        result="admitted",
        scanned_at=paris(SOURCE_DAY, 10),
    )
    SecurityList.objects.create(edition=edition, number=1, rows=[], people=1)
    Announcement.objects.create(edition=edition, subject="Rappel", body="À bientôt.")
    keys.key_for(edition)
    return edition


def copy(client, source, **data):
    return client.post(
        reverse("edition_copy", args=[source.slug]),
        {
            "title": "Journée Exemple 2031",
            "slug": "journee-exemple-2031",
            "date": NEW_DAY.isoformat(),
            "start_time": "09:30",
            "end_time": "16:30",
            **data,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_copy_takes_settings_programme_categories_and_entrances(source, cast, client):
    log_in(client, cast.organiser)
    response = copy(client, source)

    new = Edition.objects.get(slug="journee-exemple-2031")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard", args=[new.slug])
    assert (new.title, new.date, new.status, new.number) == (
        "Journée Exemple 2031",
        NEW_DAY,
        EditionStatus.DRAFT,
        None,
    )
    assert (new.capacity, new.has_waiting_list, new.venue_id) == (250, False, source.venue_id)
    assert (new.security_fields, new.reconfirmation_days) == (["birth_date"], 5)
    assert new.personal_data_retention_days == 90
    assert list(new.organisers.all()) == [cast.org]
    assert [partner.name for partner in new.partners.all()] == ["Partenaire Exemple"]
    # Windows and deadlines move by as many days as the date, at the same time in Paris.
    assert new.registration_opens_at == paris(dt.date(2031, 2, 28), 9)
    assert new.registration_closes_at == paris(dt.date(2031, 6, 9), 18)
    assert new.security_list_first_deadline == paris(dt.date(2031, 5, 31), 12)
    assert new.security_list_final_deadline == paris(dt.date(2031, 6, 11), 12)
    (session,) = new.sessions.all()
    assert (session.title, session.start_time, session.starts_at) == (
        "Plénière",
        dt.time(10),
        paris(NEW_DAY, 10),
    )
    (speaker,) = session.speakers.all()
    assert (speaker.name, speaker.edition) == ("Oratrice Exemple", new)
    assert list(
        Category.objects.filter(edition=new).values_list(
            "name", "slug", "quota", "organisation_cap", "is_public", "position"
        )
    ) == [("Participant", "participant", 200, None, True, 0), ("Pôle", "pole", 100, 3, False, 1)]
    assert list(Entrance.objects.filter(edition=new).values_list("name", "slug")) == [
        ("Entrée A", "a")
    ]


def test_copy_takes_no_people_and_has_its_own_ticket_key(source, cast, client):
    log_in(client, cast.organiser)
    copy(client, source)
    new = Edition.objects.get(slug="journee-exemple-2031")

    for model in (Registration, Booking, Invitation, CheckIn, SecurityList, Announcement):
        assert not model.objects.filter(edition=new).exists(), model
    assert EditionKey.objects.filter(edition=new).count() == 1
    assert keys.public_key_for(new) != keys.public_key_for(source)
    # The source is untouched.
    assert Registration.objects.filter(edition=source).count() == 1
    assert source.sessions.count() == 1


def test_a_slug_taken_is_a_clear_error_and_copies_nothing(source, cast, client):
    log_in(client, cast.organiser)
    editions = Edition.objects.count()
    response = copy(client, source, slug=cast.edition_two.slug)
    assert response.status_code == 400
    assert response.context["form"].errors["slug"] == [
        "Another edition already has this address name."
    ]
    assert Edition.objects.count() == editions


def test_hours_that_leave_sessions_out_are_refused(source, cast, client):
    log_in(client, cast.organiser)
    response = copy(client, source, start_time="10:30", end_time="16:00")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["end_time"]
    assert not Edition.objects.filter(slug="journee-exemple-2031").exists()


def test_copy_form_starts_from_the_source(source, cast, client):
    log_in(client, cast.organiser)
    response = client.get(reverse("edition_copy", args=[source.slug]))
    assert response.status_code == 200
    assert response.context["form"].initial["date"] == SOURCE_DAY


@pytest.mark.parametrize("role", ["editor", "viewer", "agent", "outsider", "other_organiser"])
def test_only_organisers_of_the_edition_may_copy_it(source, cast, client, role):
    log_in(client, getattr(cast, role))
    assert client.get(reverse("edition_copy", args=[source.slug])).status_code == 403
    assert copy(client, source).status_code == 403
    assert not Edition.objects.filter(slug="journee-exemple-2031").exists()


def test_materials_are_copied_unpublished_with_files_of_their_own(source, cast):
    session = source.sessions.get()
    pdf = b"%PDF-1.4\n%%EOF\n"
    slides = Material(
        edition=source,
        session=session,
        kind=MaterialKind.FILE,
        title="Diapositives",
        description="Les diapositives de la plénière",
        file_name="diapositives.pdf",
        content_type="application/pdf",
        size=len(pdf),
        publication=MaterialPublication.NOW,
        position=2,
        created_by=cast.editor,
    )
    slides.file.save("diapositives.pdf", ContentFile(pdf), save=False)
    slides.save()
    replay = Material.objects.create(
        edition=source,
        kind=MaterialKind.LINK,
        title="Replay",
        url="https://video.example/replay",
        publication=MaterialPublication.AFTER_DAY,
    )

    new = copy_edition(source, title="Journée Exemple 2031", slug="suite", date=NEW_DAY)

    file_copy, link_copy = Material.objects.filter(edition=new).order_by("pk")
    assert file_copy.session == new.sessions.get()
    assert (
        file_copy.kind,
        file_copy.title,
        file_copy.description,
        file_copy.file_name,
        file_copy.content_type,
        file_copy.size,
        file_copy.position,
    ) == (
        MaterialKind.FILE,
        "Diapositives",
        "Les diapositives de la plénière",
        "diapositives.pdf",
        "application/pdf",
        len(pdf),
        2,
    )
    assert (link_copy.kind, link_copy.url, link_copy.session) == (
        MaterialKind.LINK,
        "https://video.example/replay",
        None,
    )
    # Unpublished until the organisers of the new day say otherwise; added by nobody.
    assert {file_copy.publication, link_copy.publication} == {MaterialPublication.DRAFT}
    assert (file_copy.created_by, link_copy.created_by) == (None, None)
    # A file of its own, under the new edition, with the same bytes.
    assert file_copy.file.name != slides.file.name
    assert file_copy.file.name.startswith("materials/suite/")
    assert file_copy.file.name.endswith(".pdf")
    with file_copy.file.open("rb") as stored:
        assert stored.read() == pdf
    # Deleting the source's material and file (as its page does) leaves the copy's.
    storage, name = slides.file.storage, slides.file.name
    slides.delete()
    storage.delete(name)
    replay.delete()
    assert not storage.exists(name)
    file_copy.refresh_from_db()
    with file_copy.file.open("rb") as stored:
        assert stored.read() == pdf
    assert Material.objects.filter(edition=new).count() == 2


def test_a_copy_that_fails_leaves_no_file_behind(source, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    material = Material(edition=source, kind=MaterialKind.FILE, title="Plan", file_name="plan.pdf")
    material.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    material.save()

    def refuse(**kwargs):
        raise RuntimeError("a receiver failed")

    edition_copied.connect(refuse)
    try:
        with pytest.raises(RuntimeError):
            copy_edition(source, title="Suite", slug="suite", date=NEW_DAY)
    finally:
        edition_copied.disconnect(refuse)
    assert not Edition.objects.filter(slug="suite").exists()
    assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == [
        material.file.name.rsplit("/", 1)[-1]
    ]
