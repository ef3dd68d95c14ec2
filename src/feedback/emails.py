"""The questionnaire's emails: one function per email, each writing an outbox record in the
transaction of the sending (:mod:`feedback.questionnaires`).

- ``feedback.invitation``: after the day, the person's own link to the questionnaire;
- ``feedback.reminder``: once, to everyone with a link (answered or not: see
  :mod:`feedback.questionnaires`).

Each is written once per link whatever the number of calls (``dedupe_key``), to the
attendee's own address, in their language, and rendered when it is sent: a link deleted
meanwhile, or a questionnaire closed, sends nothing. Whether the link was used changes
nothing here, so that no message's fate says who answered. The records belong to the
edition, so they are deleted with its personal data.
"""

from django.urls import reverse

from common.links import absolute
from common.mail import render_email
from feedback import links
from feedback.enums import QuestionnaireStatus
from feedback.models import FeedbackLink
from outbox.services import builder, enqueue

KINDS = ("feedback.invitation", "feedback.reminder")


def invitation(link):
    _write("invitation", link)


def reminder(link):
    _write("reminder", link)


def _write(name, link):
    registration = link.registration
    enqueue(
        f"feedback.{name}",
        to=registration.email,
        object_id=link.pk,
        edition=registration.edition_id,
        language=registration.language,
        dedupe_key=f"feedback.{name}:{link.pk}",
    )


@builder("feedback.invitation")
def build_invitation(message):
    return _build("invitation", message)


@builder("feedback.reminder")
def build_reminder(message):
    return _build("reminder", message)


def _build(name, message):
    link = (
        FeedbackLink.objects.select_related("questionnaire__edition", "registration")
        .filter(pk=message.object_id)
        .first()
    )
    if link is None or link.answered or link.questionnaire.status == QuestionnaireStatus.CLOSED:
        return None
    edition = link.questionnaire.edition
    context = {
        "edition": edition,
        "questionnaire": link.questionnaire,
        "first_name": link.registration.first_name,
        "answer_url": absolute(reverse("feedback:answer", args=[links.token(link)])),
        "edition_url": absolute(edition.get_absolute_url()),
        "language": message.language,
    }
    return render_email(f"feedback/email/{name}", context, language=message.language)
