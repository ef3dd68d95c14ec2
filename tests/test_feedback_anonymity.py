"""No organiser page, export or API answer ties a questionnaire answer to a person.

Three people answer with texts that sort in another order than the one they came in; the
test then reads everything an organiser can read about the questionnaire and about those
people (results page, CSV, report page and PDF, the registration's page and data copy, the
API) and checks that the answers come without a name, an address, an identifier or a date
of answer, and that what is about a person says nothing of their answer, nor even whether
they gave one. The stored answer has no key to a link, a registration or a user.
"""

import datetime as dt
import io
import itertools
import json

import pytest
from django.db import models
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import ApiToken
from feedback import links, questionnaires
from feedback.enums import QuestionKind, QuestionnaireStatus
from feedback.models import Answer, FeedbackLink, Question, Response
from outbox.models import Message
from registrations.capacity import register
from tests.auth import log_in
from tests.factories import CategoryFactory, EntranceFactory, admit_at_the_door

pytestmark = [pytest.mark.django_db]

_numbers = itertools.count()
DAY = dt.date(2014, 9, 19)

#: Given in this order, by Anne, Bruno and Chloé: alphabetical order is another one.
TEXTS = ("Zèbre : trop de discours.", "Abeille : plus d'ateliers.", "Moineau : salle froide.")
#: Denis never answers.
PEOPLE = ("Anne", "Bruno", "Chloé", "Denis")


@pytest.fixture
def answered(cast):
    edition = cast.edition
    edition.date = DAY
    edition.save()
    category = CategoryFactory(edition=edition, name="Participant", slug="participant")
    door = EntranceFactory(edition=edition)
    people = []
    for first_name in PEOPLE:
        registration = register(
            edition,
            category=category,
            first_name=first_name,
            last_name="Témoin",
            email=f"{first_name.lower()}.temoin@example.org",
            by_organiser=True,
        )
        admit_at_the_door(registration, door)
        people.append(registration)
    questionnaire = questionnaires.of_edition(edition)
    questionnaire.status = QuestionnaireStatus.READY
    questionnaire.save()
    sent_at = edition.ends_at + dt.timedelta(days=1)
    questionnaires.send(questionnaire, now=sent_at)
    rating = questionnaire.questions.get(kind=QuestionKind.RATING)
    text = questionnaire.questions.get(kind=QuestionKind.LONG_TEXT)
    for registration, value, score in zip(people[:3], TEXTS, (2, 5, 4), strict=True):
        link = FeedbackLink.objects.get(registration=registration)
        questionnaires.answer(
            link,
            {rating.pk: score, text.pk: value},
            now=sent_at + dt.timedelta(days=next(_numbers) % 3),
        )
    questionnaires.remind(questionnaire, now=sent_at + dt.timedelta(days=30))
    return edition, questionnaire, people


def identifiers(people):
    """Everything that names one of the people or their link."""
    found = []
    for registration in people:
        link = FeedbackLink.objects.get(registration=registration)
        found += [
            registration.first_name,
            registration.email,
            str(registration.public_id),
            link.key.hex,
            links.token(link),
        ]
    return found


def dates_of_answers():
    days = Response.objects.values_list("submitted_on", flat=True)
    return {str(day) for day in days} | {day.strftime("%d/%m/%Y") for day in days}


def assert_anonymous(text, people):
    for value in identifiers(people):
        assert value not in text, value
    for value in dates_of_answers():
        assert value not in text, value
    for response in Response.objects.all():
        assert str(response.pk) not in text
        assert response.pk.hex not in text


def test_the_stored_answer_has_no_key_to_a_person():
    def targets(model):
        return {
            field.related_model
            for field in model._meta.get_fields()
            if field.is_relation and field.related_model is not None
        }

    assert targets(Response) <= {Answer, Response._meta.get_field("questionnaire").related_model}
    assert targets(Answer) == {Response, Question}
    # No moment of answering but the day, and nothing on the link that says when.
    for model in (Response, Answer, FeedbackLink):
        assert not any(
            isinstance(field, models.DateTimeField) for field in model._meta.get_fields()
        )
    assert Response not in targets(FeedbackLink)
    assert Answer not in targets(FeedbackLink)


def test_the_organisers_results_and_export_name_nobody_and_keep_no_order(client, cast, answered):
    edition, _, people = answered
    log_in(client, cast.organiser)
    page = client.get(reverse("feedback:results", args=[edition.slug])).content.decode()
    assert_anonymous(page, people)
    positions = [page.index(text.replace("'", "&#x27;")) for text in sorted(TEXTS)]
    assert positions == sorted(positions)  # Alphabetical, not the order they came in.

    export = client.get(reverse("feedback:results_csv", args=[edition.slug]))
    content = b"".join(export.streaming_content if export.streaming else [export.content])
    text = content.decode("utf-8-sig")
    assert_anonymous(text, people)
    for value in TEXTS:
        assert value in text
    rows = text.strip().splitlines()[1:]
    by_key = [str(key) for key in Response.objects.order_by("pk").values_list("pk", flat=True)]
    assert len(rows) == len(by_key) == 3  # The rows follow the random keys, not the answers.


def test_the_report_names_nobody(client, cast, answered, settings):
    settings.PTCE_REPORT_MIN_GROUP = 2
    edition, _, people = answered
    log_in(client, cast.organiser)
    page = client.get(reverse("report", args=[edition.slug])).content.decode()
    assert_anonymous(page, people)
    for value in TEXTS:
        assert value not in page  # Free texts stay on the results page.
    pdf = client.get(reverse("report_pdf", args=[edition.slug]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert_anonymous(text, people)


def test_what_organisers_see_of_a_person_says_nothing_of_their_answer(client, cast, answered):
    edition, _, people = answered
    log_in(client, cast.organiser)
    token = ApiToken.issue(cast.organiser)[1]
    for registration in people:
        pages = [
            client.get(
                reverse("registrations:detail", args=[edition.slug, registration.pk])
            ).content.decode(),
            client.get(
                reverse("registrations:privacy_copy", args=[edition.slug, registration.pk])
            ).content.decode(),
            client.get(
                f"/api/v1/editions/{edition.slug}/registrations",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            ).content.decode(),
        ]
        for content in pages:
            for value in TEXTS:
                assert value not in content
            assert "answered" not in content
            assert "répondu" not in content
    copy = json.loads(pages[1])
    assert copy["feedback_links"] == [{"questionnaire_link_sent": True}]


def test_the_outbox_treats_everyone_alike_whether_they_answered_or_not(answered):
    *_, people = answered
    kinds = {
        registration.pk: sorted(
            Message.objects.filter(
                recipient=registration.email, kind__startswith="feedback."
            ).values_list("kind", flat=True)
        )
        for registration in people
    }
    assert set(map(tuple, kinds.values())) == {("feedback.invitation", "feedback.reminder")}
