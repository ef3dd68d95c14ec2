"""The attendee's answer form: one field per question they are asked, named after its
position in the questionnaire (``q<pk>``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.enums import RATING_SCALE, QuestionKind
from feedback.questionnaires import LONG_TEXT_MAX, SHORT_TEXT_MAX

RATING_HELP = _("From 1 (not at all satisfied) to 5 (very satisfied).")


def _rating_label(value):
    if value == RATING_SCALE[0]:
        return _("1 — not at all")
    if value == RATING_SCALE[-1]:
        return _("5 — very")
    return str(value)


def _field(question):
    common = {"label": question.text, "required": question.required}
    help_text = question.help_text
    if question.kind == QuestionKind.RATING:
        return forms.TypedChoiceField(
            choices=[(value, _rating_label(value)) for value in RATING_SCALE],
            coerce=int,
            widget=forms.RadioSelect,
            help_text=help_text or RATING_HELP,
            **common,
        )
    if question.kind == QuestionKind.SINGLE:
        return forms.TypedChoiceField(
            choices=list(enumerate(question.choices)),
            coerce=int,
            widget=forms.RadioSelect,
            help_text=help_text,
            **common,
        )
    if question.kind == QuestionKind.MULTIPLE:
        return forms.TypedMultipleChoiceField(
            choices=list(enumerate(question.choices)),
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            help_text=help_text,
            **common,
        )
    long = question.kind == QuestionKind.LONG_TEXT
    return forms.CharField(
        max_length=LONG_TEXT_MAX if long else SHORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}) if long else forms.TextInput,
        help_text=help_text,
        **common,
    )


class AnswerForm(forms.Form):
    def __init__(self, questions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = _field(question)

    def values(self):
        """``{question pk: value}`` for :func:`feedback.questionnaires.answer`."""
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
