"""The organisers' forms of an edition's questionnaire: its settings, and one question.

A question's kind and choices cannot change once someone answered it (answers store the
positions of their choices, :func:`feedback.questionnaires.choices_locked`): the form then
shows them disabled, and refuses a change sent all the same (a question answered between the
page's display and its saving).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from common.forms import EditForm
from events.models import Session
from feedback import questionnaires
from feedback.enums import WITH_CHOICES
from feedback.models import Question, Questionnaire

MIN_CHOICES, MAX_CHOICES = 2, 12
#: The longest choice, in characters.
CHOICE_MAX = 200

LOCKED = _("Someone answered this question: its kind and choices can no longer change.")


class QuestionnaireForm(EditForm):
    """What editors set: the introduction and the reminder."""

    class Meta:
        model = Questionnaire
        fields = ("introduction", "reminder_days")
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4})}


class QuestionnaireStatusForm(QuestionnaireForm):
    """The same, and the status, for organisers: opening it sends emails to the attendees."""

    class Meta(QuestionnaireForm.Meta):
        fields = ("introduction", "reminder_days", "status")
        help_texts = {
            "status": _(
                "Open: every person admitted at the door, with an address, is emailed a link "
                "once the day is over. Closed: answers are no longer accepted."
            )
        }


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, session):
        return _("%(time)s — %(title)s") % {
            "time": formats.time_format(session.start_time, "TIME_FORMAT"),
            "title": session.title,
        }


def choice_lines(text):
    """The choices of ``text``, one per line, stripped, empty lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(EditForm):
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One choice per line, from 2 to 12, for a question with one or several choices; "
            "empty for the other kinds."
        ),
    )

    class Meta:
        model = Question
        fields = ("kind", "text", "help_text", "choices", "required", "session")
        field_classes = {"session": SessionChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        session = self.fields["session"]
        session.queryset = Session.objects.filter(
            edition=self.instance.questionnaire.edition
        ).order_by("start_time", "pk")
        session.empty_label = _("None: a question about the whole day")
        self.initial["choices"] = "\n".join(self.instance.choices or [])
        self.locked = questionnaires.choices_locked(self.instance)
        if self.locked:
            for name in ("kind", "choices"):
                self.fields[name].disabled = True
                self.fields[name].help_text = LOCKED

    def clean_choices(self):
        choices = choice_lines(self.cleaned_data["choices"])
        seen = set()
        for number, choice in enumerate(choices, 1):
            if len(choice) > CHOICE_MAX:
                raise ValidationError(
                    _("Choice %(number)d is longer than %(max)d characters."),
                    code="choice_too_long",
                    params={"number": number, "max": CHOICE_MAX},
                )
            if choice.casefold() in seen:
                raise ValidationError(
                    _("“%(choice)s” is given twice."),
                    code="choice_twice",
                    params={"choice": choice},
                )
            seen.add(choice.casefold())
        return choices

    def clean(self):
        cleaned = super().clean()
        if self.locked:
            self._refuse_changes_once_answered()
            return cleaned
        kind, choices = cleaned.get("kind"), cleaned.get("choices")
        if kind is None or choices is None:
            return cleaned
        if kind in WITH_CHOICES and len(choices) < MIN_CHOICES:
            self.add_error(
                "choices",
                ValidationError(
                    _("Give at least %(min)d choices, one per line."),
                    code="too_few_choices",
                    params={"min": MIN_CHOICES},
                ),
            )
        elif kind in WITH_CHOICES and len(choices) > MAX_CHOICES:
            self.add_error(
                "choices",
                ValidationError(
                    _("Give at most %(max)d choices."),
                    code="too_many_choices",
                    params={"max": MAX_CHOICES},
                ),
            )
        elif kind not in WITH_CHOICES and choices:
            self.add_error(
                "choices",
                ValidationError(
                    _("Only a question with one or several choices has choices: leave it empty."),
                    code="choices_not_asked",
                ),
            )
        return cleaned

    def _refuse_changes_once_answered(self):
        """Disabled fields keep their saved values whatever is sent; a change sent all the
        same (the page was shown before the first answer) is said, not silently dropped."""
        sent_kind = self.data.get(self.add_prefix("kind"))
        sent_choices = self.data.get(self.add_prefix("choices"))
        if (sent_kind is not None and sent_kind != self.instance.kind) or (
            sent_choices is not None and choice_lines(sent_choices) != self.instance.choices
        ):
            self.add_error(None, ValidationError(LOCKED, code="choices_locked"))
