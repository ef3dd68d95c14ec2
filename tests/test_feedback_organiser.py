"""The organisers' pages of the questionnaire after the day: its settings, its questions
(choices checked, and fixed once answered), the answers' figures and their CSV export."""

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from admission.models import CheckIn
from feedback import questionnaires
from feedback.enums import QuestionKind, QuestionnaireStatus
from feedback.models import Answer, FeedbackLink, Question, Questionnaire
from tests.auth import log_in
from tests.factories import EntranceFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def edition(cast):
    return cast.edition


@pytest.fixture
def questionnaire(edition):
    return questionnaires.of_edition(edition)


def base(edition):
    return f"/journees/{edition.slug}/gestion/avis/"


def as_(cast, role):
    return log_in(Client(), getattr(cast, role))


def answered(questionnaire, values):
    """One person's answers, through a link of their own (``values`` by question)."""
    link = FeedbackLink.objects.create(
        questionnaire=questionnaire, registration=RegistrationFactory(edition=questionnaire.edition)
    )
    return questionnaires.answer(link, {question.pk: value for question, value in values.items()})


def question_data(**changes):
    return {
        "kind": QuestionKind.SINGLE,
        "text": "Which workshop did you prefer?",
        "help_text": "",
        "choices": "Energy\nFood",
        "required": "on",
        "session": "",
    } | changes


# The questionnaire's settings --------------------------------------------------------------


def test_first_visit_makes_the_questionnaire_with_the_suggested_questions(cast, edition):
    response = as_(cast, "editor").get(base(edition))
    assert response.status_code == 200
    questions = list(edition.questionnaire.questions.all())
    assert [q.position for q in questions] == [1, 2, 3, 4]
    assert "Overall, how satisfied are you with the day?" in response.text
    assert "it will be sent to the 0 people admitted, with an address" in response.text


def test_an_editor_saves_the_settings_but_cannot_change_the_status(cast, edition, questionnaire):
    client = as_(cast, "editor")
    assert 'name="status"' not in client.get(base(edition)).text
    response = client.post(
        base(edition),
        {"introduction": "Thank you for coming.", "reminder_days": "3", "status": "ready"},
    )
    assert response.status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.introduction == "Thank you for coming."
    assert questionnaire.reminder_days == 3
    assert questionnaire.status == QuestionnaireStatus.DRAFT


def test_an_organiser_opens_the_questionnaire(cast, edition, questionnaire):
    client = as_(cast, "organiser")
    assert 'name="status"' in client.get(base(edition)).text
    response = client.post(
        base(edition), {"introduction": "", "reminder_days": "", "status": "ready"}
    )
    assert response.status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.status == QuestionnaireStatus.READY
    assert questionnaire.reminder_days is None


def test_sending_now_is_refused_politely_before_the_day_ends(cast, edition, questionnaire):
    questionnaire.status = QuestionnaireStatus.READY
    questionnaire.save()
    client = as_(cast, "organiser")
    response = client.post(f"{base(edition)}envoyer/", follow=True)
    assert "The questionnaire cannot be sent now" in response.text
    assert FeedbackLink.objects.count() == 0
    assert client.get(f"{base(edition)}envoyer/").status_code == 405


def test_an_organiser_sends_it_now_once_the_day_is_over(cast, edition, questionnaire):
    edition.date = timezone.localdate() - dt.timedelta(days=1)
    edition.save()
    registration = RegistrationFactory(edition=edition)
    CheckIn.objects.create(
        edition=edition,
        registration=registration,
        entrance=EntranceFactory(edition=edition),
        nonce="feedback-test",
        result="admitted",
        scanned_at=timezone.now() - dt.timedelta(days=1),
    )
    questionnaire.status = QuestionnaireStatus.READY
    questionnaire.save()
    assert "Send now" not in as_(cast, "editor").get(base(edition)).text
    client = as_(cast, "organiser")
    page = client.get(base(edition)).text
    assert "it will be sent to the 1 person admitted, with an address" in page
    assert "Send now" in page
    response = client.post(f"{base(edition)}envoyer/", follow=True)
    assert "The questionnaire is sent to 1 person." in response.text
    assert FeedbackLink.objects.get().registration == registration
    page = client.get(base(edition)).text
    assert "to 1 person." in page
    assert "0 answers (0%)." in page
    assert "Reminder due on" in page
    # Once the day's personal data is deleted, no reminder can go: none is announced.
    edition.personal_data_anonymised_at = timezone.now()
    edition.save()
    assert "Reminder due on" not in client.get(base(edition)).text


# Questions ---------------------------------------------------------------------------------


def test_a_question_is_added_at_the_end_with_its_choices_cleaned(cast, edition, questionnaire):
    session = SessionFactory(edition=edition, title="Round table")
    response = as_(cast, "editor").post(
        f"{base(edition)}questions/ajouter/",
        question_data(choices="  Energy \n\n Food  \n", session=str(session.pk)),
    )
    assert response.status_code == 302
    question = questionnaire.questions.last()
    assert (question.position, question.choices, question.session) == (
        5,
        ["Energy", "Food"],
        session,
    )
    assert question.required is True


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("single", "Energy", "Give at least 2 choices, one per line."),
        ("multiple", "\n".join(f"Choice {n}" for n in range(13)), "Give at most 12 choices."),
        ("single", "Energy\nENERGY", "“ENERGY” is given twice."),
        ("single", "x" * 201 + "\nFood", "Choice 1 is longer than 200 characters."),
        ("rating", "Energy\nFood", "Only a question with one or several choices has choices"),
    ],
)
def test_bad_choices_are_refused_with_a_message_and_nothing_is_saved(
    cast, edition, questionnaire, kind, choices, message
):
    response = as_(cast, "editor").post(
        f"{base(edition)}questions/ajouter/", question_data(kind=kind, choices=choices)
    )
    assert response.status_code == 200
    assert message in response.text
    assert questionnaire.questions.count() == 4


def test_a_session_of_another_edition_cannot_be_chosen(cast, edition, questionnaire):
    other = SessionFactory(edition=cast.edition_two)
    mine = SessionFactory(edition=edition, title="Round table")
    client = as_(cast, "editor")
    page = client.get(f"{base(edition)}questions/ajouter/").text
    assert "10 a.m. — Round table" in page
    assert other.title not in page
    response = client.post(
        f"{base(edition)}questions/ajouter/", question_data(session=str(other.pk))
    )
    assert response.status_code == 200
    assert questionnaire.questions.count() == 4
    assert mine.pk != other.pk


def test_a_question_is_changed(cast, edition, questionnaire):
    question = questionnaire.questions.get(kind=QuestionKind.SINGLE)
    response = as_(cast, "editor").post(
        f"{base(edition)}questions/{question.pk}/",
        question_data(text="Will you come again?", choices="Yes\nNo"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.choices) == ("Will you come again?", ["Yes", "No"])


def test_kind_and_choices_are_fixed_once_answered(cast, edition, questionnaire):
    question = questionnaire.questions.get(kind=QuestionKind.SINGLE)
    saved = list(question.choices)
    answered(questionnaire, {question: 0})
    client = as_(cast, "editor")
    url = f"{base(edition)}questions/{question.pk}/"
    page = client.get(url).text
    assert re.search(r'<select name="kind"[^>]* disabled', page)
    assert re.search(r'<textarea name="choices"[^>]* disabled', page)
    assert "its kind and choices can no longer change" in page

    # A change sent all the same (the page was shown before the first answer) is refused.
    response = client.post(url, question_data(choices="Yes\nNo"))
    assert response.status_code == 200
    assert "Someone answered this question: its kind and choices can no longer change." in (
        response.text
    )
    response = client.post(url, question_data(kind="rating", choices=""))
    assert response.status_code == 200
    question.refresh_from_db()
    assert (question.kind, question.choices) == (QuestionKind.SINGLE, saved)

    # As a browser sends it, without the disabled fields: the rest is saved.
    data = question_data(text="Will you come again?")
    del data["kind"], data["choices"]
    assert client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert (question.text, question.kind, question.choices) == (
        "Will you come again?",
        QuestionKind.SINGLE,
        saved,
    )


def test_deleting_a_question_says_how_many_answers_go_with_it(cast, edition, questionnaire):
    question = questionnaire.questions.get(kind=QuestionKind.RATING)
    answered(questionnaire, {question: 4})
    answered(questionnaire, {question: 5})
    client = as_(cast, "editor")
    url = f"{base(edition)}questions/{question.pk}/supprimer/"
    assert "Its 2 answers will be deleted with it." in client.get(url).text
    assert client.post(url).status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()
    assert Answer.objects.count() == 0


def test_questions_move_up_and_down(cast, edition, questionnaire):
    first, second, *_ = questionnaire.questions.all()
    client = as_(cast, "editor")
    url = f"{base(edition)}questions/{first.pk}/deplacer/"
    assert client.post(url, {"direction": "down"}).status_code == 302
    assert list(questionnaire.questions.values_list("pk", flat=True)[:2]) == [second.pk, first.pk]
    assert client.post(url, {"direction": "up"}).status_code == 302
    assert list(questionnaire.questions.values_list("pk", flat=True)[:2]) == [first.pk, second.pk]
    assert client.post(url, {"direction": "sideways"}).status_code == 400


def test_a_question_of_another_edition_is_not_found(cast, edition):
    other = questionnaires.of_edition(cast.edition_two).questions.first()
    client = as_(cast, "editor")
    assert client.get(f"{base(edition)}questions/{other.pk}/").status_code == 404
    assert client.post(f"{base(edition)}questions/{other.pk}/supprimer/").status_code == 404
    assert Question.objects.filter(pk=other.pk).exists()


# Results -----------------------------------------------------------------------------------


@pytest.fixture
def with_answers(questionnaire):
    rating, single, multiple, long_text = questionnaire.questions.all()
    questionnaire.sent_count = 4
    questionnaire.save()
    answered(questionnaire, {rating: 4, single: 0, multiple: [0, 2], long_text: "More coffee"})
    answered(questionnaire, {rating: 5, single: 0, long_text: "=1+1"})
    answered(questionnaire, {})
    return questionnaire


def test_results_show_counts_and_shares_and_free_texts_to_organisers(cast, edition, with_answers):
    page = as_(cast, "organiser").get(f"{base(edition)}resultats/").text
    assert "4 people asked" in page
    assert "3 answers received" in page
    assert "Answer rate: 75%" in page
    assert "Average: 4.5 out of 5" in page
    # "Yes" by both who answered the question: 100 % of them, a full bar.
    assert '<th scope="row">Yes</th>\n        <td class="number">2</td>' in page
    assert 'width="100" height="10"/></svg> 100%' in page
    assert "More coffee" in page
    assert "=1+1" in page
    assert "resultats.csv" in page


def test_the_average_is_written_in_french_with_a_decimal_comma(cast, edition, with_answers):
    client = as_(cast, "organiser")
    page = client.get(f"{base(edition)}resultats/", HTTP_ACCEPT_LANGUAGE="fr").text
    assert "4,5" in page


def test_free_texts_are_counted_not_shown_to_those_without_personal_data(
    cast, edition, with_answers
):
    response = as_(cast, "viewer").get(f"{base(edition)}resultats/")
    assert response.status_code == 200
    page = response.text
    assert "Answer rate: 75%" in page
    assert "2 free-text answers (visible to organisers)." in page
    assert "More coffee" not in page
    assert "resultats.csv" not in page


def test_results_before_any_questionnaire_write_nothing(cast, edition):
    response = as_(cast, "viewer").get(f"{base(edition)}resultats/")
    assert "This day has no questionnaire yet." in response.text
    assert not Questionnaire.objects.filter(edition=edition).exists()


def test_the_csv_has_a_row_per_response_neutralises_formulas_and_is_audited(
    cast, edition, with_answers
):
    response = as_(cast, "organiser").get(f"{base(edition)}resultats.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="questionnaire-{edition.slug}.csv"'
    )
    content = io.StringIO(response.content.decode("utf-8-sig"))
    header, *rows = csv.reader(content, delimiter=";")
    assert header == [
        "Overall, how satisfied are you with the day?",
        "Would you come to the next national day?",
        "What was most useful to you?",
        "What should we improve next time?",
    ]
    assert sorted(rows) == [
        ["", "", "", ""],
        ["4", "Yes", "The testimonies of poles ; The workshops", "More coffee"],
        ["5", "Yes", "", "'=1+1"],
    ]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.user, entry.edition, entry.people, entry.what) == (
        AuditAction.EXPORT,
        cast.organiser,
        edition,
        3,
        f"questionnaire-{edition.slug}.csv",
    )


def test_hostile_text_is_escaped_on_the_pages(cast, edition, questionnaire):
    script = "<script>alert(1)</script>"
    question = Question.objects.create(
        questionnaire=questionnaire,
        position=5,
        kind=QuestionKind.SINGLE,
        text=f"Question {script}",
        choices=[f"Choice {script}", "Other"],
    )
    free = questionnaire.questions.get(kind=QuestionKind.LONG_TEXT)
    answered(questionnaire, {question: 0, free: f"Answer {script}"})
    client = as_(cast, "organiser")
    for url in (
        base(edition),
        f"{base(edition)}resultats/",
        f"{base(edition)}questions/{question.pk}/",
        f"{base(edition)}questions/{question.pk}/supprimer/",
    ):
        page = client.get(url).text
        assert script not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
