"""Messages from the organisers to a group of attendees: the group chosen exactly, the emails
received on a real SMTP server through the outbox, markup in them inert, a form sent twice
sends once, the audit line, and who may send."""

import datetime as dt
import itertools
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from admission import checkin
from outbox.models import Message
from registrations import announcements
from registrations.capacity import cancel, register
from registrations.enums import RegistrationStatus
from registrations.links import manage_path
from registrations.models import Announcement, Registration
from tests.auth import log_in
from tests.factories import (
    BookingFactory,
    CategoryFactory,
    EntranceFactory,
    RegistrationFactory,
)

pytestmark = [pytest.mark.django_db]

_numbers = itertools.count()
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRMED, WAITING = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


def person(edition, category, name, **details):
    return register(
        edition,
        category=category,
        first_name=name,
        last_name="Exemple",
        email=f"{name.lower()}@example.org",
        by_organiser=True,
        **details,
    )


@pytest.fixture
def group(cast):
    """Anne (participant, admitted), Bruno (participant, English), Chloé (speaker), Driss
    (participant, waiting), Emma (cancelled), Farid (registered without an address by
    Gaëlle's booking); Hugo at another edition."""
    edition = cast.edition
    participant = CategoryFactory(edition=edition, name="Participant", slug="participant")
    speaker = CategoryFactory(edition=edition, name="Intervenant", slug="speaker")
    anne = person(edition, participant, "Anne")
    checkin.admit(
        edition,
        registration=anne,
        entrance=EntranceFactory(edition=edition),
        agent=None,
        nonce=f"n{next(_numbers)}",
        id_checked=True,
        now=edition.starts_at + dt.timedelta(hours=1),
    )
    person(edition, participant, "Bruno", language="en")
    person(edition, speaker, "Chloe")
    # Emma cancels before Driss joins the waiting list: her seat goes to nobody.
    cancel(person(edition, participant, "Emma"))
    RegistrationFactory(
        edition=edition, category=participant, email="driss@example.org", status=WAITING
    )
    booking = BookingFactory(edition=edition, email="gaelle@example.org", language="en")
    RegistrationFactory(
        edition=edition,
        category=speaker,
        email="",
        first_name="Farid",
        last_name="Exemple",
        booking=booking,
    )
    other = CategoryFactory(edition=cast.edition_two, slug="participant")
    person(cast.edition_two, other, "Hugo")
    Message.objects.all().delete()  # The registrations' own emails.
    return edition


def addresses(edition, **audience):
    audience = {"statuses": [CONFIRMED], "categories": [], "admitted": None, **audience}
    people = announcements.recipients(edition, audience).select_related("booking")
    return sorted(person.email or person.booking.email for person in people)


def test_the_group_is_exactly_the_people_chosen(group):
    assert addresses(group) == [
        "anne@example.org",
        "bruno@example.org",
        "chloe@example.org",
        "gaelle@example.org",
    ]
    assert addresses(group, statuses=[WAITING]) == ["driss@example.org"]
    assert addresses(group, statuses=[CONFIRMED, WAITING], categories=["participant"]) == [
        "anne@example.org",
        "bruno@example.org",
        "driss@example.org",
    ]
    assert addresses(group, admitted="admitted") == ["anne@example.org"]
    assert addresses(group, categories=["participant"], admitted="not_admitted") == [
        "bruno@example.org"
    ]
    # Cancelled people are never written to, even when asked for.
    assert addresses(group, statuses=[RegistrationStatus.CANCELLED]) == []


def test_sent_message_reaches_each_person_in_their_language(group, cast, smtp_server, send_outbox):
    announcement, created = announcements.send(
        group,
        subject="Changement de salle",
        body="Bonjour,\nLa plénière a lieu salle B.",
        audience={"statuses": [CONFIRMED], "categories": ["speaker"], "admitted": None},
        by=cast.organiser,
        submission_key=uuid.uuid4(),
    )
    assert created
    assert announcement.recipients == 2

    assert send_outbox() == ["sent", "sent"]
    received = {message["To"]: message for message in smtp_server.wait_for(2)}
    assert sorted(received) == ["chloe@example.org", "gaelle@example.org"]
    chloe = received["chloe@example.org"]
    assert chloe["Subject"] == "Changement de salle"
    assert chloe["Content-Language"] == "fr"
    text = chloe.get_body(("plain",)).get_content()
    assert "La plénière a lieu salle B." in text
    farid = group.registrations.get(first_name="Farid")
    # The booker gets the message for the person they registered, in the booking's language.
    gaelle = received["gaelle@example.org"]
    assert gaelle["Content-Language"] == "en"
    gaelle_text = gaelle.get_body(("plain",)).get_content()
    assert "You receive it for Farid Exemple, whom you registered" in gaelle_text
    assert settings.SITE_URL + manage_path(farid) in gaelle_text


def test_markup_in_subject_and_body_is_inert(group, cast, smtp_server, send_outbox):
    announcements.send(
        group,
        subject='<b>Salle</b> "B" & co\r\nBcc: x@example.org',
        body='<script>alert(1)</script> <a href="https://example.com">lien</a> & co',
        audience={"statuses": [CONFIRMED], "categories": [], "admitted": "admitted"},
        by=cast.organiser,
        submission_key=uuid.uuid4(),
    )
    send_outbox()
    (received,) = smtp_server.wait_for(1)
    # One line: no header was injected.
    assert received["Subject"] == '<b>Salle</b> "B" & co Bcc: x@example.org'
    assert received["Bcc"] is None
    assert smtp_server.envelopes[0][1] == ["anne@example.org"]
    text = received.get_body(("plain",)).get_content()
    assert '<script>alert(1)</script> <a href="https://example.com">lien</a> & co' in text
    html = received.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert '<a href="https://example.com">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Salle&lt;/b&gt;" in html


def test_message_page_previews_then_sends_once_and_logs_it(group, cast, client):
    log_in(client, cast.organiser)
    url = reverse("registrations:message", args=[group.slug])
    key = str(uuid.uuid4())
    form = {
        "subject": "Rappel",
        "body": "À bientôt.",
        "statuses": [CONFIRMED],
        "categories": ["participant"],
        "admitted": "",
        "submission_key": key,
    }

    preview = client.post(url, {**form, "preview": "1"}, **ENGLISH)
    assert preview.status_code == 200
    assert preview.context["preview"].count == 2
    assert "This message will go to 2 people." in preview.content.decode()
    assert not Announcement.objects.exists()
    assert not Message.objects.exists()

    first = client.post(url, {**form, "send": "1"})
    second = client.post(url, {**form, "send": "1"})  # The double click.
    assert first.status_code == second.status_code == 302

    announcement = Announcement.objects.get()
    assert (announcement.subject, announcement.recipients, announcement.sent_by) == (
        "Rappel",
        2,
        cast.organiser,
    )
    assert announcement.audience["categories"] == ["participant"]
    assert sorted(Message.objects.values_list("recipient", flat=True)) == [
        "anne@example.org",
        "bruno@example.org",
    ]
    assert set(Message.objects.values_list("kind", "object_id")) == {
        ("registrations.announcement", announcement.pk)
    }
    (entry,) = AuditEntry.objects.all()
    assert (entry.action, entry.user, entry.edition, entry.people) == (
        AuditAction.MESSAGE,
        cast.organiser,
        group,
        2,
    )
    assert "example.org" not in entry.what + str(entry.detail)
    listed = client.get(url, **ENGLISH).content.decode()
    assert "Rappel" in listed
    assert '<td class="number">2</td>' in listed


def test_bad_message_form_sends_nothing(group, cast, client):
    log_in(client, cast.organiser)
    response = client.post(
        reverse("registrations:message", args=[group.slug]),
        {
            "subject": "  ",
            "body": "x" * 5001,
            "statuses": ["cancelled"],
            "submission_key": str(uuid.uuid4()),
            "send": "1",
        },
        **ENGLISH,
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"subject", "body", "statuses"}
    assert not Announcement.objects.exists()
    assert not Message.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["editor", "viewer", "agent", "outsider", "other_organiser"])
def test_only_organisers_may_write_to_attendees(group, cast, client, role):
    log_in(client, getattr(cast, role))
    url = reverse("registrations:message", args=[group.slug])
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "subject": "x",
            "body": "y",
            "statuses": [CONFIRMED],
            "submission_key": str(uuid.uuid4()),
            "send": "1",
        },
    )
    assert response.status_code == 403
    assert not Announcement.objects.exists()
    assert not Message.objects.exists()


def test_cancelled_before_sending_gets_nothing(group, cast, send_outbox, smtp_server):
    announcements.send(
        group,
        subject="Rappel",
        body="À bientôt.",
        audience={"statuses": [CONFIRMED], "categories": ["speaker"], "admitted": None},
        by=cast.organiser,
    )
    cancel(group.registrations.get(first_name="Chloe"))
    Message.objects.exclude(kind="registrations.announcement").delete()
    assert sorted(send_outbox()) == ["sent", "skipped"]
    assert [message["To"] for message in smtp_server.messages] == ["gaelle@example.org"]


# Checking a message before sending it: the preview, a test to oneself ------------------------

EVERYONE_CONFIRMED = {"statuses": [CONFIRMED], "categories": [], "admitted": None}


def form_data(**fields):
    return {
        "subject": "Rappel <b>important</b>",
        "body": "Bonjour,\nLa plénière a lieu salle B. <script>alert(1)</script>",
        "statuses": [CONFIRMED],
        "admitted": "",
        "submission_key": str(uuid.uuid4()),
        **fields,
    }


def test_preview_shows_each_language_as_its_first_recipient_receives_it(
    group, cast, client, smtp_server, send_outbox
):
    log_in(client, cast.organiser)
    url = reverse("registrations:message", args=[group.slug])
    data = form_data()

    response = client.post(url, {**data, "preview": "1"})

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.count == 4
    anne, bruno = (group.registrations.get(first_name=name) for name in ("Anne", "Bruno"))
    assert [(s.language, s.registration, s.address) for s in preview.samples] == [
        ("fr", anne, "anne@example.org"),
        ("en", bruno, "bruno@example.org"),
    ]
    french, english = preview.samples
    assert french.subject == english.subject == "Rappel <b>important</b>"
    assert "Un message des organisateurs de la journée «\u00a0Journée Exemple\u00a0»" in french.text
    assert "A message from the organisers of Journée Exemple:" in english.text
    assert "La plénière a lieu salle B. <script>alert(1)</script>" in english.text
    assert settings.SITE_URL + manage_path(bruno) in english.text
    page = response.content.decode()
    assert "Rappel &lt;b&gt;important&lt;/b&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "La plénière a lieu salle B. &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Tel que Anne Exemple le recevra, à l'adresse anne@example.org." in page
    assert "Tel que Bruno Exemple le recevra, à l'adresse bruno@example.org." in page
    assert not Announcement.objects.exists()
    assert not Message.objects.exists()

    # The frames show each language's HTML, under a policy of their own.
    frames = {}
    for sample in preview.samples:
        frame_url = reverse(
            "registrations:message_preview",
            args=[group.slug, data["submission_key"], sample.language],
        )
        assert f'<iframe class="email-preview-frame" sandbox src="{frame_url}"' in page
        frame = client.get(frame_url)
        assert frame.status_code == 200
        assert frame["X-Frame-Options"] == "SAMEORIGIN"
        assert frame["Content-Security-Policy"].startswith("default-src 'none'; style-src")
        assert "frame-ancestors 'self'; sandbox" in frame["Content-Security-Policy"]
        frames[sample.language] = frame.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in frames["en"]
    assert "<script>" not in frames["en"]

    # Sent for real, the emails are the ones the preview showed.
    announcements.send(
        group, subject=data["subject"], body=data["body"], audience=EVERYONE_CONFIRMED, by=None
    )
    send_outbox()
    smtp_server.wait_for(4)
    for sample in preview.samples:
        (received,) = smtp_server.to(sample.address)
        assert received["Subject"] == sample.subject
        # The same text, but for the line endings that SMTP gave it.
        text, html = (received.get_body((kind,)).get_content() for kind in ("plain", "html"))
        assert text.replace("\r\n", "\n") == sample.text
        assert html.replace("\r\n", "\n") == frames[sample.language]


def test_preview_of_a_booker_shows_whom_they_receive_it_for(group, cast, client):
    log_in(client, cast.organiser)
    response = client.post(
        reverse("registrations:message", args=[group.slug]),
        {**form_data(categories=["speaker"]), "preview": "1"},
    )
    english = response.context["preview"].samples[1]
    assert (english.name, english.address) == ("Farid Exemple", "gaelle@example.org")
    assert "You receive it for Farid Exemple, whom you registered" in english.text


def test_a_preview_frame_shows_only_the_users_own_kept_preview(group, cast, client):
    log_in(client, cast.organiser)
    data = form_data()
    client.post(reverse("registrations:message", args=[group.slug]), {**data, "preview": "1"})
    frame_url = reverse(
        "registrations:message_preview", args=[group.slug, data["submission_key"], "fr"]
    )
    assert "La plénière a lieu salle B." in client.get(frame_url).content.decode()

    # Another organiser of the day, another key, another edition, a language nobody reads
    # there: a short note, nothing of the message.
    other = log_in(Client(), cast.superuser)
    for response in (
        other.get(frame_url),
        client.get(reverse("registrations:message_preview", args=[group.slug, uuid.uuid4(), "fr"])),
        client.get(
            reverse(
                "registrations:message_preview",
                args=[cast.edition_two.slug, data["submission_key"], "fr"],
            )
        ),
        client.get(
            reverse(
                "registrations:message_preview", args=[group.slug, data["submission_key"], "de"]
            )
        ),
    ):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Cet aperçu n'est plus disponible" in html
        assert "plénière" not in html


def test_send_me_a_test_reaches_only_the_organiser_and_is_no_announcement(
    group, cast, client, smtp_server, send_outbox
):
    log_in(client, cast.organiser)
    url = reverse("registrations:message", args=[group.slug])

    response = client.post(url, {**form_data(), "test": "1"})

    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        "2 essais, un par langue, ont été envoyés à organisatrice@example.org."
    ]
    # The page shows the preview again, with the real send still a button of its own.
    assert response.context["preview"].count == 4
    assert 'name="send"' in response.content.decode()
    assert not Announcement.objects.exists()
    assert not AuditEntry.objects.exists()

    assert send_outbox() == ["sent", "sent"]
    received = smtp_server.wait_for(2)
    assert [envelope[1] for envelope in smtp_server.envelopes] == [
        ["organisatrice@example.org"],
        ["organisatrice@example.org"],
    ]
    assert sorted((m["To"], m["Content-Language"], m["Subject"]) for m in received) == [
        ("organisatrice@example.org", "en", "[Test] Rappel <b>important</b>"),
        ("organisatrice@example.org", "fr", "[Essai] Rappel <b>important</b>"),
    ]
    for message in received:
        text = message.get_body(("plain",)).get_content()
        assert "La plénière a lieu salle B. <script>alert(1)</script>" in text
        # The private link of a test opens nothing: no attendee's link leaves in it.
        assert settings.SITE_URL + "/inscription/essai/" in text
        for person in group.registrations.all():
            assert manage_path(person) not in text
    assert client.get(settings.SITE_URL + "/inscription/essai/").status_code == 404
    assert not Announcement.objects.exists()


def test_send_me_a_test_in_the_one_language_of_the_group(group, cast, client):
    log_in(client, cast.organiser)
    response = client.post(
        reverse("registrations:message", args=[group.slug]),
        {**form_data(admitted="admitted"), "test": "1"},
    )
    assert [str(message) for message in response.context["messages"]] == [
        "Un essai a été envoyé à organisatrice@example.org."
    ]
    (test,) = Message.objects.all()
    assert (test.kind, test.recipient, test.language) == (
        "registrations.announcement_test",
        "organisatrice@example.org",
        "fr",
    )


def test_bad_message_sends_no_test(group, cast, client):
    log_in(client, cast.organiser)
    response = client.post(
        reverse("registrations:message", args=[group.slug]),
        {**form_data(subject=" \n ", statuses=[]), "test": "1"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"subject", "statuses"}
    assert response.context["preview"] is None
    assert not Message.objects.exists()
    assert not Announcement.objects.exists()


def test_a_test_to_an_empty_group_sends_nothing(group, cast, client):
    log_in(client, cast.organiser)
    response = client.post(
        reverse("registrations:message", args=[group.slug]),
        {**form_data(categories=["speaker"], admitted="admitted"), "test": "1"},
    )
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        "Ce groupe ne compte personne\u00a0: aucun essai n'a été envoyé."
    ]
    assert not Message.objects.exists()


# Writing to the people chosen on the registrations list --------------------------------------


def test_selection_parses_pks_and_leaves_garbage_out():
    assert announcements.parse_selection(
        ["12", " 15 ", "12", "abc", "-3", "0", "1.5", "²", "٣", "9" * 19, "9" * 5000, "", "7"]
    ) == [12, 15, 7]


def test_message_to_the_people_chosen_goes_only_to_those_still_active_here(group, cast, client):
    log_in(client, cast.organiser)
    url = reverse("registrations:message", args=[group.slug])
    people = {person.first_name: person for person in group.registrations.all()}
    anne, emma, farid = people["Anne"], people["Emma"], people["Farid"]
    driss = group.registrations.get(email="driss@example.org")
    hugo = cast.edition_two.registrations.get()
    asked = [anne.pk, emma.pk, hugo.pk, driss.pk, farid.pk]

    page = client.get(
        url + "?" + "&".join(f"pk={pk}" for pk in [*asked, "abc", "-1", "9" * 30, anne.pk])
    )

    assert page.status_code == 200
    form = page.context["form"]
    assert form.chosen_shown == [anne, driss, farid]
    html = page.content.decode()
    assert "3 personnes choisies" in html
    assert "Hugo" not in html
    assert "Emma" not in html
    assert f'value="{anne.pk},{emma.pk},{hugo.pk},{driss.pk},{farid.pk}"' in html
    assert 'name="statuses"' not in html

    data = {
        "subject": "Votre atelier",
        "body": "Rendez-vous salle C.",
        "selection": form.initial["selection"],
        "submission_key": str(uuid.uuid4()),
    }
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.context["preview"].count == 3
    assert [sample.name for sample in preview.context["preview"].samples] == [
        "Anne Exemple",
        "Farid Exemple",
    ]
    assert client.post(url, {**data, "send": "1"}).status_code == 302

    announcement = Announcement.objects.get()
    assert announcement.recipients == 3
    assert announcement.audience == {
        "registrations": [anne.pk, driss.pk, farid.pk],
        "submission_key": data["submission_key"],
    }
    assert sorted(Message.objects.values_list("recipient", flat=True)) == [
        "anne@example.org",
        "driss@example.org",
        "gaelle@example.org",
    ]


def test_message_page_names_the_first_people_chosen_and_counts_the_others(group, cast, client):
    edition = group
    category = edition.categories.get(slug="participant")
    chosen = [
        RegistrationFactory(edition=edition, category=category, email=f"p{n}@example.org")
        for n in range(22)
    ]
    log_in(client, cast.organiser)
    page = client.get(
        reverse("registrations:message", args=[edition.slug]),
        {"pk": [person.pk for person in chosen]},
    )
    assert page.context["form"].chosen_shown == chosen[:20]
    html = page.content.decode()
    assert "22 personnes choisies" in html
    assert "et 2 autres" in html


def test_when_none_of_the_people_chosen_is_left_nothing_can_be_sent(group, cast, client):
    log_in(client, cast.organiser)
    url = reverse("registrations:message", args=[group.slug])
    emma = group.registrations.get(first_name="Emma")
    hugo = cast.edition_two.registrations.get()
    message = (
        "Aucune des personnes choisies ne peut recevoir de message\u00a0: elles ont annulé, "
        "appartiennent à une autre journée ou n'ont pas d'adresse."
    )

    page = client.get(url, {"pk": [emma.pk, hugo.pk, "garbage"]})
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html
    assert 'name="preview"' not in html
    assert 'name="send"' not in html

    for action in ("preview", "test", "send"):
        response = client.post(
            url,
            {
                "subject": "x",
                "body": "y",
                "selection": f"{emma.pk},{hugo.pk},garbage",
                "submission_key": str(uuid.uuid4()),
                action: "1",
            },
        )
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Message.objects.exists()
    assert not Announcement.objects.exists()


def test_group_audience_leaves_out_the_anonymised(group):
    anne = group.registrations.get(first_name="Anne")
    Registration.objects.filter(pk=anne.pk).update(anonymised_at=timezone.now())
    assert "anne@example.org" not in addresses(group)
    assert announcements.recipients(group, {"registrations": [anne.pk]}).count() == 0
