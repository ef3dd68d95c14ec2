"""The rules of the questionnaire after the day: writing it, sending it, answering it.

- **Writing.** Each edition has at most one questionnaire, begun with a few suggested
  questions (:func:`of_edition`). A question's choices cannot change once someone answered
  it: the answers store their positions (:func:`choices_locked`).
- **Sending.** An organiser opens the questionnaire (status ``ready``); from the end of the
  day, :func:`send` gives every admitted person with an address their own link, by email, once
  (a :class:`FeedbackLink` per registration, and the outbox's ``dedupe_key``). It runs again
  every quarter of an hour (``feedback.tasks.send_questionnaires``), so that people whose
  check-in reached the server late (an offline device) get theirs too. :func:`remind` writes
  once, ``reminder_days`` after the first sending, to everyone with a link: a reminder
  written only to those who have not answered would tell whoever sees the outbox (an
  organiser's copy of a person's data lists their emails) who answered, and, while answers
  are few, which answer is theirs. Its text thanks those who already did.
- **Answering.** :func:`answer` stores the answers as a :class:`Response` tied to nobody,
  and marks the link used, under the link's row lock: a second answer through the same link
  is refused (:class:`Refused`), however close together the two arrive.

Questions about a workshop are shown only to the people who held a seat in it
(:func:`questions_for`); a question about any other session, to everyone.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import PARIS
from feedback import emails
from feedback.enums import FREE_TEXT, WITH_CHOICES, QuestionKind, QuestionnaireStatus
from feedback.models import Answer, FeedbackLink, Question, Questionnaire, Response
from registrations.enums import HOLDS_WORKSHOP_SEAT, RegistrationStatus
from registrations.models import Registration, WorkshopChoice

#: The longest free text kept, in characters.
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000


class Refused(Exception):
    """An answer that cannot be stored; ``message`` says why in the user's language."""

    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = message


def _suggested():
    """The questions a new questionnaire starts with, in the site's language."""
    return [
        (QuestionKind.RATING, _("Overall, how satisfied are you with the day?"), [], True),
        (
            QuestionKind.SINGLE,
            _("Would you come to the next national day?"),
            [_("Yes"), _("Maybe"), _("No")],
            False,
        ),
        (
            QuestionKind.MULTIPLE,
            _("What was most useful to you?"),
            [
                _("The testimonies of poles"),
                _("The debates"),
                _("The workshops"),
                _("Meeting other poles and networks"),
                _("The signing of the charter"),
            ],
            False,
        ),
        (QuestionKind.LONG_TEXT, _("What should we improve next time?"), [], False),
    ]


def of_edition(edition):
    """The edition's questionnaire, created with the suggested questions the first time."""
    questionnaire = Questionnaire.objects.filter(edition=edition).first()
    if questionnaire is not None:
        return questionnaire
    with transaction.atomic():
        questionnaire, created = Questionnaire.objects.get_or_create(edition=edition)
        if created:
            with translation.override(settings.LANGUAGE_CODE):
                Question.objects.bulk_create(
                    Question(
                        questionnaire=questionnaire,
                        position=position,
                        kind=kind,
                        text=text,
                        choices=choices,
                        required=required,
                    )
                    for position, (kind, text, choices, required) in enumerate(_suggested(), 1)
                )
    return questionnaire


def choices_locked(question):
    """Whether the question's kind and choices can no longer change (someone answered it)."""
    return question.pk is not None and question.answers.exists()


def next_position(questionnaire):
    last = questionnaire.questions.order_by("-position").values_list("position", flat=True)
    return (last.first() or 0) + 1


def move(question, offset):
    """Swaps ``question`` with its neighbour before (``offset`` -1) or after (+1)."""
    questions = list(question.questionnaire.questions.all())
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index + offset
    if not 0 <= other < len(questions):
        return
    questions[index], questions[other] = questions[other], questions[index]
    with transaction.atomic():
        for position, item in enumerate(questions, 1):
            if item.position != position:
                Question.objects.filter(pk=item.pk).update(position=position)


# Sending ---------------------------------------------------------------------------------


def recipients(edition):
    """The people a questionnaire goes to: confirmed, admitted at the door, with an address of
    their own (a colleague registered without one gets no link: their booker could answer in
    their place)."""
    return (
        Registration.objects.filter(edition=edition, status=RegistrationStatus.CONFIRMED)
        .admitted()
        .exclude(email="")
    )


def can_send(questionnaire, now=None):
    """Whether :func:`send` would send now: open, the day over, its people's data still kept."""
    now = now or timezone.now()
    edition = questionnaire.edition
    return (
        questionnaire.status == QuestionnaireStatus.READY
        and edition.ends_at <= now
        and edition.personal_data_anonymised_at is None
    )


def send(questionnaire, now=None):
    """Gives every recipient without a link theirs, by email; returns how many were written.

    Side effects, in one transaction under the questionnaire's row lock: the links, their
    emails (``feedback.invitation``, one per link whatever the number of calls), and
    ``sent_at`` the first time. Nothing before the day ends, for a questionnaire not open,
    or once the day's personal data is deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if not can_send(questionnaire, now):
            return 0
        new = list(
            recipients(questionnaire.edition)
            .exclude(feedback_links__questionnaire=questionnaire)
            .values_list("pk", flat=True)
        )
        FeedbackLink.objects.bulk_create(
            FeedbackLink(questionnaire=questionnaire, registration_id=pk) for pk in new
        )
        # Read back with their registrations: each email's address and language.
        links = FeedbackLink.objects.filter(
            questionnaire=questionnaire, registration_id__in=new
        ).select_related("registration")
        for link in links:
            emails.invitation(link)
        questionnaire.sent_at = questionnaire.sent_at or now
        questionnaire.sent_count += len(new)
        questionnaire.save(update_fields=["sent_at", "sent_count", "updated_at"])
    return len(new)


def reminder_due_at(questionnaire):
    if questionnaire.sent_at is None or questionnaire.reminder_days is None:
        return None
    return questionnaire.sent_at + dt.timedelta(days=questionnaire.reminder_days)


def remind(questionnaire, now=None):
    """Once, from :func:`reminder_due_at`: writes to every link, used or not (see the
    module's docstring); returns how many. Under the questionnaire's row lock, so that two
    runs remind once."""
    now = now or timezone.now()
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        due = reminder_due_at(questionnaire)
        if questionnaire.reminded_at is not None or due is None or now < due:
            return 0
        if not can_send(questionnaire, now):
            return 0
        links = questionnaire.links.select_related("registration")
        count = 0
        for link in links:
            emails.reminder(link)
            count += 1
        questionnaire.reminded_at = now
        questionnaire.save(update_fields=["reminded_at", "updated_at"])
    return count


def send_due(now=None):
    """The periodic job: sends and reminds every open questionnaire whose day is over.
    Returns ``{edition slug: (links written, reminders written)}`` for those that wrote."""
    now = now or timezone.now()
    today = timezone.localdate(now, timezone=PARIS)
    done = {}
    candidates = Questionnaire.objects.select_related("edition").filter(
        status=QuestionnaireStatus.READY,
        edition__date__lte=today,
        edition__personal_data_anonymised_at=None,
    )
    for questionnaire in candidates:
        sent = send(questionnaire, now)
        reminded = remind(questionnaire, now)
        if sent or reminded:
            done[questionnaire.edition.slug] = (sent, reminded)
    return done


# Answering --------------------------------------------------------------------------------


def find_link(key):
    """The link of ``key`` (from :func:`feedback.links.key_of`), or None."""
    if key is None:
        return None
    return (
        FeedbackLink.objects.select_related("questionnaire__edition", "registration")
        .filter(key=key)
        .first()
    )


def questions_for(link):
    """The questions the person of ``link`` is asked, in order: all but those about a
    workshop they held no seat in."""
    questions = list(link.questionnaire.questions.select_related("session"))
    workshops = {q.session_id for q in questions if q.session_id and q.session.is_workshop}
    if not workshops:
        return questions
    held = set(
        WorkshopChoice.objects.filter(
            registration_id=link.registration_id,
            session_id__in=workshops,
            status__in=sorted(HOLDS_WORKSHOP_SEAT),
        ).values_list("session_id", flat=True)
    )
    return [q for q in questions if q.session_id not in workshops or q.session_id in held]


ALREADY_ANSWERED = gettext_lazy(
    "An answer was already given through this link: each link can be used once. Thank you!"
)
CLOSED = gettext_lazy("This questionnaire is closed: answers are no longer accepted.")


def refusal(link):
    """Why ``link`` cannot be answered now (a :class:`Refused`), or None."""
    if link.answered:
        return Refused("already_answered", str(ALREADY_ANSWERED))
    if link.questionnaire.status == QuestionnaireStatus.CLOSED:
        return Refused("closed", str(CLOSED))
    return None


def answer(link, values, now=None):
    """Stores ``values`` (``{question pk: value}``, cleaned by the answer form: an int for a
    rating, a list of choice positions, or a text) as one anonymous :class:`Response`, and
    marks the link used. Raises :class:`Refused` when the link was used meanwhile or the
    questionnaire closed. Only the questions of :func:`questions_for` are kept; empty values
    are not stored."""
    now = now or timezone.now()
    with transaction.atomic():
        link = (
            FeedbackLink.objects.select_for_update().select_related("questionnaire").get(pk=link.pk)
        )
        refused = refusal(link)
        if refused is not None:
            raise refused
        response = Response.objects.create(
            questionnaire=link.questionnaire,
            submitted_on=timezone.localdate(now, timezone=PARIS),
        )
        answers = []
        for question in questions_for(link):
            value = values.get(question.pk)
            if value in (None, "", []):
                continue
            answers.append(_answer(response, question, value))
        Answer.objects.bulk_create(answers)
        link.answered = True
        link.save(update_fields=["answered"])
    return response


def _answer(response, question, value):
    if question.kind == QuestionKind.RATING:
        return Answer(response=response, question=question, rating=int(value))
    if question.kind in WITH_CHOICES:
        positions = value if isinstance(value, list) else [value]
        return Answer(
            response=response, question=question, choices=sorted({int(p) for p in positions})
        )
    assert question.kind in FREE_TEXT
    limit = SHORT_TEXT_MAX if question.kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
    return Answer(response=response, question=question, text=str(value).strip()[:limit])
