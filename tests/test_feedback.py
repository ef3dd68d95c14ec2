"""The questionnaire after the day: who gets a link and when (once, deduplicated), the one
reminder, answering once through the emailed link (the page, its refusals, its validation),
questions about a workshop, and what retention and erasure do to links and answers."""

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import emails, links, questionnaires
from feedback.enums import QuestionKind, QuestionnaireStatus
from feedback.models import Answer, FeedbackLink, Question, Response
from outbox.models import Message
from outbox.tasks import deliver_message
from registrations import privacy
from registrations.capacity import cancel, register
from tests.factories import (
    CategoryFactory,
    EntranceFactory,
    RegistrationFactory,
    admit_at_the_door,
)

pytestmark = [pytest.mark.django_db]

_numbers = itertools.count()
DAY = dt.date(2014, 9, 19)


@pytest.fixture
def day(cast):
    edition = cast.edition
    edition.date = DAY
    edition.save()
    return edition


@pytest.fixture
def category(day):
    return CategoryFactory(edition=day, name="Participant", slug="participant")


@pytest.fixture
def door(day):
    return EntranceFactory(edition=day, name="Entrée A")


def person(edition, category, first_name="Camille", **details):
    details.setdefault("email", f"avis{next(_numbers)}@example.org")
    return register(
        edition,
        category=category,
        first_name=first_name,
        last_name="Exemple",
        by_organiser=True,
        **details,
    )


def after_day(edition, days=1):
    return edition.ends_at + dt.timedelta(days=days)


@pytest.fixture
def opened(day):
    questionnaire = questionnaires.of_edition(day)
    questionnaire.status = QuestionnaireStatus.READY
    questionnaire.save()
    return questionnaire


def answer_values(questionnaire, rating=4):
    first = questionnaire.questions.get(kind=QuestionKind.RATING)
    return {first.pk: rating}


# Writing --------------------------------------------------------------------------------------


def test_a_new_questionnaire_starts_with_the_suggested_questions_once(day):
    questionnaire = questionnaires.of_edition(day)
    kinds = list(questionnaire.questions.values_list("kind", flat=True))
    assert kinds == ["rating", "single", "multiple", "long_text"]
    # Written in the site's language, for the organisers to edit.
    assert questionnaire.questions.first().text.startswith("Dans l'ensemble")
    assert questionnaires.of_edition(day) == questionnaire
    assert questionnaire.questions.count() == 4
    assert questionnaire.status == QuestionnaireStatus.DRAFT


def test_moving_a_question_swaps_it_with_its_neighbour(day):
    questionnaire = questionnaires.of_edition(day)
    first, second, *_ = questionnaire.questions.all()
    questionnaires.move(second, -1)
    assert list(questionnaire.questions.all()[:2]) == [second, first]
    questionnaires.move(second, -1)  # Already first: nothing moves.
    assert list(questionnaire.questions.all()[:2]) == [second, first]


# Sending --------------------------------------------------------------------------------------


def test_sent_once_after_the_day_to_the_admitted_people_with_an_address(
    day, category, door, opened
):
    anne = person(day, category, "Anne")
    admit_at_the_door(anne, door)
    bruno = person(day, category, "Bruno")  # Confirmed, never came.
    chloe = person(day, category, "Chloé")
    admit_at_the_door(chloe, door)
    cancel(chloe, now=after_day(day))  # Admitted, then cancelled by an organiser.
    no_address = RegistrationFactory(edition=day, category=category, email="")
    admit_at_the_door(no_address, door)

    # Before the day ends nothing goes.
    assert questionnaires.send(opened, now=day.ends_at - dt.timedelta(minutes=1)) == 0
    assert questionnaires.send(opened, now=after_day(day)) == 1
    link = FeedbackLink.objects.get()
    assert link.registration == anne
    message = Message.objects.get(kind="feedback.invitation")
    assert (message.recipient, message.object_id) == (anne.email, link.pk)
    assert message.dedupe_key == f"feedback.invitation:{link.pk}"
    opened.refresh_from_db()
    assert opened.sent_count == 1
    first_sent = opened.sent_at

    # Again: nothing new. Someone admitted late (an offline scan synced afterwards) gets
    # theirs at the next run, and the first sending's moment stays.
    assert questionnaires.send(opened, now=after_day(day, 2)) == 0
    admit_at_the_door(bruno, door)
    assert questionnaires.send(opened, now=after_day(day, 2)) == 1
    opened.refresh_from_db()
    assert (opened.sent_count, opened.sent_at) == (2, first_sent)
    assert Message.objects.filter(kind="feedback.invitation").count() == 2


def test_a_draft_or_closed_questionnaire_or_an_anonymised_day_sends_nothing(day, category, door):
    admit_at_the_door(person(day, category), door)
    questionnaire = questionnaires.of_edition(day)
    assert questionnaires.send(questionnaire, now=after_day(day)) == 0
    questionnaire.status = QuestionnaireStatus.CLOSED
    questionnaire.save()
    assert questionnaires.send(questionnaire, now=after_day(day)) == 0
    questionnaire.status = QuestionnaireStatus.READY
    questionnaire.save()
    day.personal_data_anonymised_at = timezone.now()
    day.save()
    assert questionnaires.send(questionnaire, now=after_day(day)) == 0
    assert not FeedbackLink.objects.exists()


def test_the_periodic_job_sends_and_reminds_once(day, category, door, opened):
    admit_at_the_door(person(day, category, "Anne"), door)
    admit_at_the_door(person(day, category, "Bruno"), door)
    sent_at = after_day(day)
    assert questionnaires.send_due(now=sent_at) == {day.slug: (2, 0)}
    assert questionnaires.send_due(now=sent_at + dt.timedelta(days=1)) == {}
    # One answers; the reminder, seven days later, still goes to both (see the module).
    questionnaires.answer(FeedbackLink.objects.first(), answer_values(opened))
    due = sent_at + dt.timedelta(days=opened.reminder_days)
    assert questionnaires.send_due(now=due - dt.timedelta(minutes=1)) == {}
    assert questionnaires.send_due(now=due) == {day.slug: (0, 2)}
    assert questionnaires.send_due(now=due + dt.timedelta(days=3)) == {}
    assert Message.objects.filter(kind="feedback.reminder").count() == 2


def test_no_reminder_when_the_organisers_want_none(day, category, door, opened):
    opened.reminder_days = None
    opened.save()
    admit_at_the_door(person(day, category), door)
    questionnaires.send_due(now=after_day(day))
    assert questionnaires.send_due(now=after_day(day, 60)) == {}
    assert not Message.objects.filter(kind="feedback.reminder").exists()


def test_the_email_carries_the_personal_link_and_says_answers_are_anonymous(
    day, category, door, opened, smtp_server
):
    anne = person(day, category, "Anne", language="fr")
    admit_at_the_door(anne, door)
    questionnaires.send(opened, now=after_day(day))
    message = Message.objects.get(kind="feedback.invitation")
    assert deliver_message(message.pk) == "sent"
    (received,) = smtp_server.wait_for(1)
    body = received.get_body(("plain",)).get_content()
    link = FeedbackLink.objects.get()
    assert reverse("feedback:answer", args=[links.token(link)]) in body
    assert "Anne" in body
    assert "sans votre nom" in body
    assert day.title in received["Subject"]


def test_a_closed_questionnaire_skips_its_emails_still_waiting(day, category, door, opened):
    admit_at_the_door(person(day, category), door)
    questionnaires.send(opened, now=after_day(day))
    opened.status = QuestionnaireStatus.CLOSED
    opened.save()
    assert deliver_message(Message.objects.get(kind="feedback.invitation").pk) == "skipped"


# Answering ------------------------------------------------------------------------------------


@pytest.fixture
def link(day, category, door, opened):
    admit_at_the_door(person(day, category, "Anne"), door)
    questionnaires.send(opened, now=after_day(day))
    return FeedbackLink.objects.get()


def answer_url(link):
    return reverse("feedback:answer", args=[links.token(link)])


def form_data(questionnaire, **overrides):
    rating, single, multiple, text = questionnaire.questions.all()
    data = {
        f"q{rating.pk}": "5",
        f"q{single.pk}": "0",
        f"q{multiple.pk}": ["1", "3"],
        f"q{text.pk}": "Plus de temps pour les ateliers.",
    }
    return data | overrides


def test_answering_from_the_link_stores_one_anonymous_response(client, link, opened):
    page = client.get(answer_url(link))
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "noindex" in page.content.decode()
    response = client.post(answer_url(link), form_data(opened))
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:thanks", args=[links.token(link)])
    stored = Response.objects.get()
    assert stored.submitted_on == timezone.localdate()
    rating, single, multiple, text = opened.questions.all()
    answers = {a.question_id: a for a in stored.answers.all()}
    assert answers[rating.pk].rating == 5
    assert answers[single.pk].choices == [0]
    assert answers[multiple.pk].choices == [1, 3]
    assert answers[text.pk].text == "Plus de temps pour les ateliers."
    link.refresh_from_db()
    assert link.answered


def test_a_second_answer_through_the_same_link_is_refused(client, link, opened):
    assert client.post(answer_url(link), form_data(opened)).status_code == 302
    again = client.post(answer_url(link), form_data(opened))
    assert again.status_code == 409
    assert "déjà" in again.content.decode()
    assert Response.objects.count() == 1
    # Opening the link again says so too, without a form.
    page = client.get(answer_url(link))
    assert page.status_code == 200
    assert "Envoyer mes réponses" not in page.content.decode()
    with pytest.raises(questionnaires.Refused):
        questionnaires.answer(link, answer_values(opened))


def test_a_made_up_or_changed_link_names_nobody(client, link):
    assert client.get(reverse("feedback:answer", args=["nimporte-quoi"])).status_code == 404
    token = links.token(link)
    assert client.get(reverse("feedback:answer", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("feedback:answer", args=["a" * 500])).status_code == 404
    assert links.key_of(None) is None


def test_a_closed_questionnaire_accepts_no_answer(client, link, opened):
    opened.status = QuestionnaireStatus.CLOSED
    opened.save()
    response = client.post(answer_url(link), form_data(opened))
    assert response.status_code == 409
    assert "clos" in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (0, "6", "Sélectionnez un choix valide"),
        (1, "9", "Sélectionnez un choix valide"),
        (2, ["0", "99"], "Sélectionnez un choix valide"),
        (3, "x" * 5001, "5000"),
        (0, "", "Ce champ est obligatoire"),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_store_nothing(
    client, link, opened, field, value, message
):
    question = opened.questions.all()[field]
    response = client.post(answer_url(link), form_data(opened, **{f"q{question.pk}": value}))
    assert response.status_code == 422
    content = response.content.decode()
    assert message in content
    assert "Erreur" in content.split("</title>")[0]
    assert not Response.objects.exists()
    link.refresh_from_db()
    assert not link.answered


def test_optional_questions_left_empty_store_no_answer(client, link, opened):
    rating = opened.questions.get(kind=QuestionKind.RATING)
    data = {f"q{rating.pk}": "3"}
    assert client.post(answer_url(link), data).status_code == 302
    assert list(Answer.objects.values_list("question_id", "rating")) == [(rating.pk, 3)]


def test_a_question_about_a_workshop_is_asked_only_to_its_seat_holders(day, category, door, opened):
    from tests.factories import SessionFactory

    workshop = SessionFactory(edition=day, is_workshop=True, capacity=10, title="Financer")
    Question.objects.create(
        questionnaire=opened,
        position=9,
        kind=QuestionKind.RATING,
        text="Et l'atelier « Financer » ?",
        session=workshop,
    )
    from registrations import workshops

    anne = person(day, category, "Anne")
    bruno = person(day, category, "Bruno")
    workshops.choose(anne, workshop, by_organiser=True)
    admit_at_the_door(anne, door)
    admit_at_the_door(bruno, door)
    questionnaires.send(opened, now=after_day(day))
    asked = {
        link.registration.first_name: [q.text for q in questionnaires.questions_for(link)]
        for link in FeedbackLink.objects.select_related("registration")
    }
    assert "Et l'atelier « Financer » ?" in asked["Anne"]
    assert "Et l'atelier « Financer » ?" not in asked["Bruno"]
    assert len(asked["Anne"]) == len(asked["Bruno"]) + 1


# Retention and erasure ------------------------------------------------------------------------


def test_links_go_with_the_days_personal_data_and_answers_stay(link, opened, day):
    questionnaires.answer(link, answer_values(opened))
    counts = privacy.anonymise_edition(day, now=privacy.personal_data_due_at(day))
    assert counts["feedback_links"] == 1
    assert not FeedbackLink.objects.exists()
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 1
    opened.refresh_from_db()
    assert opened.sent_count == 1  # The rate stays computable.


def test_an_erasure_deletes_the_persons_link_and_their_copy_says_only_that_one_was_sent(
    link, opened
):
    registration = link.registration
    questionnaires.answer(link, answer_values(opened))
    copy = privacy.data_copy(registration)
    assert copy["feedback_links"] == [{"questionnaire_link_sent": True}]
    erasure = privacy.erase(registration)
    assert erasure.held["feedback_links"] == 1
    assert not FeedbackLink.objects.exists()
    assert Response.objects.count() == 1


def test_emails_module_names_its_kinds():
    assert emails.KINDS == ("feedback.invitation", "feedback.reminder")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_through_one_link_store_one(day, category, door, opened):
    import threading

    from django.db import connection

    admit_at_the_door(person(day, category), door)
    questionnaires.send(opened, now=after_day(day))
    link = FeedbackLink.objects.get()
    values = answer_values(opened)
    barrier = threading.Barrier(4)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            questionnaires.answer(link, values)
            outcomes.append("stored")
        except questionnaires.Refused as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_answered"] * 3 + ["stored"]
    assert Response.objects.count() == 1
