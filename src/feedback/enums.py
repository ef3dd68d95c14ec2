from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating from 1 to 5")
    SINGLE = "single", _("One choice among several")
    MULTIPLE = "multiple", _("Several choices")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")


#: The kinds whose answers are choices among the question's own.
WITH_CHOICES = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
#: The kinds answered in the person's own words.
FREE_TEXT = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})

#: The scale of a rating question.
RATING_SCALE = (1, 2, 3, 4, 5)


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("being written")
    READY = "ready", _("sent when the day ends")
    CLOSED = "closed", _("closed")
