"""What the answers say, all together: counts, distributions and free texts of each question,
and the rows of the CSV export.

Nothing here can tie an answer to a person: answers are read without the links (which name
the people), free texts are given in alphabetical order, not in the order they came, and
the export's rows follow the responses' random keys, with no date.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from common.numbers import percent
from common.text import fold
from feedback.enums import FREE_TEXT, RATING_SCALE, WITH_CHOICES, QuestionKind
from feedback.models import Answer, Response


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    #: Of the people who answered the question.
    percent: int | None


@dataclass
class QuestionResult:
    question: object
    answered: int = 0
    bars: list = field(default_factory=list)
    #: A rating's average, to one decimal; None for other kinds or no answer.
    mean: float | None = None
    texts: list = field(default_factory=list)

    @property
    def is_free_text(self):
        return self.question.kind in FREE_TEXT


@dataclass(frozen=True)
class Results:
    questionnaire: object
    responses: int
    questions: list

    @property
    def asked(self):
        return self.questionnaire.sent_count

    @property
    def rate(self):
        return percent(self.responses, self.asked)


def _labels(question):
    if question.kind == QuestionKind.RATING:
        return [str(value) for value in RATING_SCALE]
    return list(question.choices)


def of(questionnaire):
    """The :class:`Results` of ``questionnaire`` (three queries, whatever the number of
    answers)."""
    questions = list(questionnaire.questions.select_related("session"))
    responses = Response.objects.filter(questionnaire=questionnaire).count()
    tallies = {q.pk: QuestionResult(q) for q in questions}
    counts = {q.pk: [0] * len(_labels(q)) for q in questions}
    totals = {q.pk: 0 for q in questions}
    answers = Answer.objects.filter(question__questionnaire=questionnaire).values_list(
        "question_id", "rating", "choices", "text"
    )
    for question_id, rating, choices, text in answers.iterator(chunk_size=2000):
        tally = tallies[question_id]
        tally.answered += 1
        kind = tally.question.kind
        if kind == QuestionKind.RATING and rating is not None:
            counts[question_id][rating - 1] += 1
            totals[question_id] += rating
        elif kind in WITH_CHOICES:
            for position in choices:
                if 0 <= position < len(counts[question_id]):
                    counts[question_id][position] += 1
        elif text:
            tally.texts.append(text)
    for question in questions:
        tally = tallies[question.pk]
        tally.bars = [
            Bar(label, count, percent(count, tally.answered))
            for label, count in zip(_labels(question), counts[question.pk], strict=True)
        ]
        if question.kind == QuestionKind.RATING and tally.answered:
            tally.mean = round(totals[question.pk] / tally.answered, 1)
        tally.texts.sort(key=lambda text: (fold(text), text))
    return Results(questionnaire, responses, [tallies[q.pk] for q in questions])


def export_header(questions):
    return [q.text for q in questions]


def export_rows(questionnaire):
    """``(header, rows)`` of the CSV export: one row per response, one column per question,
    rows in the order of the responses' random keys."""
    questions = list(questionnaire.questions.all())
    columns = {q.pk: index for index, q in enumerate(questions)}
    by_pk = {q.pk: q for q in questions}
    rows = {}
    answers = (
        Answer.objects.filter(response__questionnaire=questionnaire)
        .order_by("response_id")
        .values_list("response_id", "question_id", "rating", "choices", "text")
    )
    for response_id, question_id, rating, choices, text in answers.iterator(chunk_size=2000):
        row = rows.setdefault(response_id, [""] * len(questions))
        question = by_pk[question_id]
        if question.kind == QuestionKind.RATING:
            value = rating
        elif question.kind in WITH_CHOICES:
            value = " ; ".join(
                question.choices[p] for p in choices if 0 <= p < len(question.choices)
            )
        else:
            value = text
        row[columns[question_id]] = value
    # A response with no answer at all (every question optional and left empty) still counts.
    empty = Response.objects.filter(questionnaire=questionnaire).exclude(pk__in=rows.keys())
    for response_id in empty.values_list("pk", flat=True):
        rows[response_id] = [""] * len(questions)
    return export_header(questions), [rows[key] for key in sorted(rows)]


def export_filename(edition):
    return _("questionnaire-%(slug)s.csv") % {"slug": edition.slug}
