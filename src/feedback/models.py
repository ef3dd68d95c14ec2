"""The questionnaire sent to attendees after the day, and their anonymous answers.

What links an answer to a person, and what does not:

- a :class:`FeedbackLink` is the one thing that names a registration: it exists so that the
  emailed link needs no account and can be used once (``answered``). It keeps no time of the
  answer and no key to it, and it is deleted with the day's personal data;
- a :class:`Response` has no key to a link, a registration or a user, a random UUID (its
  order says nothing about the order of answers) and only the day it was given, so that
  nothing an organiser sees or exports ties it to anyone.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Edition, Session
from feedback.enums import QuestionKind, QuestionnaireStatus
from registrations.models import Registration


class Questionnaire(models.Model):
    """The edition's one questionnaire (:mod:`feedback.questionnaires`)."""

    edition = models.OneToOneField(
        Edition,
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="questionnaire",
    )
    introduction = models.TextField(
        _("introduction"),
        max_length=2000,
        blank=True,
        help_text=_("Shown above the questions and in the email."),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=QuestionnaireStatus.choices,
        default=QuestionnaireStatus.DRAFT,
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"),
        null=True,
        blank=True,
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "One reminder to everyone asked (it thanks those who already answered), this "
            "many days after the questionnaire was sent. Empty: no reminder."
        ),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    #: How many people were sent a link: kept when the links are deleted with the day's
    #: personal data, for the answer rate.
    sent_count = models.PositiveIntegerField(_("people asked"), default=0)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self):
        return str(self.edition)


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    #: The choices of a single- or multiple-choice question, as texts; an answer stores
    #: their positions, so they cannot change once answered.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("answer required"), default=False)
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "A question about one session. For a workshop, only the people who held a seat "
            "in it see the question."
        ),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class FeedbackLink(models.Model):
    """The emailed link of one admitted person: it knows who, only to refuse a second answer."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="links")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="feedback_links"
    )
    #: What the signed token names (never the registration's own identifiers).
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "registration"], name="feedback_link_once"
            )
        ]

    def __str__(self):
        # Never the person: a link shows nowhere, and no message should name them.
        return f"feedback link {self.pk}"


class Response(models.Model):
    """One person's answers, tied to nobody (see the module's docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="responses"
    )
    #: The day only: a time could be matched with a person's visit.
    submitted_on = models.DateField(_("answered on"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return f"response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    #: Positions in the question's ``choices``.
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="answer_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return f"answer {self.pk}"
