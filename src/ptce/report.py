"""The report of a day for those who fund and follow it ("Bilan de la journée"): who came,
the poles and networks represented (and those there for the first time), the charter
signatures of the day, the workshops, what the attendees answered to the questionnaire, and
the organisers' own introduction and conclusions. A page and a PDF
(:mod:`ptce.report_pdf`) show the same :class:`Report`.

Each figure has one owner, read here, never counted again: attendance (confirmed and
admitted people, by category, organisation kind and region, and the workshops' doors) from
:func:`admission.attendance.figures`, so that a person falls in the same row as on the
attendance page; the seats taken in workshops from :func:`events.workshops.seats_taken`; the
questionnaire's results from :func:`feedback.results.of`. What only the report shows is
counted here: the poles and networks represented, whether they came before, the signatures.

Who is counted. The people admitted at the door; when the day recorded no admission at all
(no check-in used), the confirmed people instead, and the report says so
(:attr:`Report.admissions_recorded`). An organisation is *represented* when at least one of
those people came from it; a pole or network takes part *for the first time* when no
confirmed registration of it exists at an earlier day (an edition of an earlier date) in the
database. Demonstration days are compared only with demonstration days, and real days with
real days. A *signature of the day* is a standing (not revoked) charter signature recorded
at the day's ceremony, or signed on the day's date (Paris time).

The threshold, ``settings.PTCE_REPORT_MIN_GROUP`` (N, 5 by default), so that no figure
singles someone out:

- in each breakdown of people (category, kind, region), a row where some figure shown (the
  confirmed or the admitted people) is between 1 and N - 1 is not shown on its own: such rows
  are merged into one row "Other groups (fewer than N people each)", last; a figure of that
  row still below N shows as "< N" (:attr:`Row.confirmed` and :attr:`Row.admitted` are
  None). Zeros are shown: an empty row singles nobody out;
- the people registered at the desk, the people of each pole or network represented and the
  seats taken or admissions of each workshop are shown only from N (else "< N"). The names
  of organisations and workshops are public: they are listed, never with a smaller count;
- totals stay exact: subtracting the rows shown from a total gives the size of the merged
  row, never which groups it gathers nor anyone in them;
- the questionnaire's results are shown only from N responses, and a question's
  distribution only from N answers to it; free texts are never in the report (only how
  many there are: they are on the results page), since a sentence can name its writer.

:func:`report` takes a fixed number of queries whatever the number of people or answers
(about fifteen).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, FilteredRelation, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from admission import attendance
from admission.enums import CheckInResult
from charter.models import Signature
from common.numbers import percent
from common.text import fold
from events import workshops as programme
from events.models import PARIS
from feedback import results
from feedback.enums import FREE_TEXT
from feedback.models import Questionnaire
from network.enums import OrganisationKind
from registrations.enums import RegistrationStatus
from registrations.models import Registration


def threshold():
    """The smallest group of people a figure of the report may show (N)."""
    return settings.PTCE_REPORT_MIN_GROUP


def shown(count, minimum):
    """``count`` when it may be shown (0, or at least ``minimum``), else None ("< N")."""
    return count if count == 0 or count >= minimum else None


@dataclass(frozen=True)
class Row:
    """A row of a breakdown of people; a figure is None when too small to show."""

    label: str
    confirmed: int | None
    admitted: int | None
    #: The merged row of the small groups.
    is_other: bool = False

    @property
    def rate(self):
        if self.confirmed is None or self.admitted is None:
            return None
        return percent(self.admitted, self.confirmed)


@dataclass(frozen=True)
class Represented:
    """A pole or network represented: its name, its people (None below the threshold), and
    whether it takes part for the first time."""

    name: str
    people: int | None
    first_time: bool


@dataclass(frozen=True)
class SignatureLine:
    organisation: str
    kind: str
    version: str


@dataclass(frozen=True)
class WorkshopLine:
    title: str
    seats: int
    taken: int | None
    #: People admitted at its door; None below the threshold, and without a door.
    admitted: int | None
    has_door: bool


@dataclass(frozen=True)
class QuestionLine:
    text: str
    #: The session the question is about, or "".
    session: str
    answered: int
    #: :class:`feedback.results.Bar` of each answer, when shown; empty for free texts.
    bars: list
    mean: float | None
    is_free_text: bool
    #: Whether its distribution is shown (at least N answers).
    shown: bool


@dataclass(frozen=True)
class Feedback:
    responses: int
    asked: int
    rate: int | None
    #: Whether the results are shown (at least N responses).
    shown: bool
    questions: list


@dataclass(frozen=True)
class Report:
    edition: object
    threshold: int
    #: Whether anyone was admitted at the door; else the confirmed people are counted.
    admissions_recorded: bool
    overall: Row
    walk_ins: Row
    categories: list
    kinds: list
    regions: list
    poles: list
    networks: list
    signatures: list
    workshops: list
    #: None without a questionnaire.
    feedback: Feedback | None
    introduction: str
    conclusions: str

    @property
    def below(self):
        """What a figure too small to show reads as: "< 5"."""
        return f"< {self.threshold}"

    @property
    def overall_rows(self):
        return [self.overall, self.walk_ins]

    @property
    def new_poles(self):
        return [pole for pole in self.poles if pole.first_time]

    @property
    def new_networks(self):
        return [network for network in self.networks if network.first_time]


def report(edition):
    """The :class:`Report` of ``edition``, in a fixed number of queries."""
    minimum = threshold()
    figures = attendance.figures(edition)
    recorded = figures.overall.admitted > 0
    poles, networks = _represented(edition, counted_admitted=recorded, minimum=minimum)
    walk_ins = figures.walk_ins
    return Report(
        edition=edition,
        threshold=minimum,
        admissions_recorded=recorded,
        overall=Row(figures.overall.label, figures.overall.confirmed, figures.overall.admitted),
        walk_ins=Row(
            walk_ins.label, shown(walk_ins.confirmed, minimum), shown(walk_ins.admitted, minimum)
        ),
        categories=guarded(figures.categories, minimum),
        kinds=guarded(figures.kinds, minimum),
        regions=guarded(figures.regions, minimum),
        poles=poles,
        networks=networks,
        signatures=_signatures(edition),
        workshops=_workshops(edition, figures.workshops, minimum),
        feedback=_feedback(edition, minimum),
        introduction=edition.report_introduction,
        conclusions=edition.report_conclusions,
    )


def other_groups_label(minimum):
    return ngettext(
        "Other groups (fewer than %(threshold)s person each)",
        "Other groups (fewer than %(threshold)s people each)",
        minimum,
    ) % {"threshold": minimum}


def guarded(lines, minimum):
    """The :class:`Row` of each :class:`admission.attendance.Line`, those with a figure
    between 1 and ``minimum`` - 1 merged into one last row (see the module's docstring)."""
    rows, small = [], []
    for line in lines:
        if shown(line.confirmed, minimum) is None or shown(line.admitted, minimum) is None:
            small.append(line)
        else:
            rows.append(Row(line.label, line.confirmed, line.admitted))
    if small:
        confirmed = sum(line.confirmed for line in small)
        admitted = sum(line.admitted for line in small)
        rows.append(
            Row(
                other_groups_label(minimum),
                shown(confirmed, minimum),
                shown(admitted, minimum),
                is_other=True,
            )
        )
    return rows


def _represented(edition, *, counted_admitted, minimum):
    """``(poles, networks)``: the :class:`Represented` organisations of each kind, by name
    (two queries)."""
    kinds = [OrganisationKind.POLE, OrganisationKind.NETWORK]
    groups = (
        Registration.objects.filter(
            edition=edition,
            status=RegistrationStatus.CONFIRMED,
            organisation__kind__in=kinds,
        )
        .annotate(
            admission=FilteredRelation(
                "checkins", condition=Q(checkins__result=CheckInResult.ADMITTED)
            )
        )
        .values("organisation_id", "organisation__name", "organisation__kind")
        # One admitted check-in at most per registration: the join repeats nobody.
        .annotate(confirmed=Count("pk"), admitted=Count("admission__pk"))
        .order_by()
    )
    people = {}
    for group in groups:
        count = group["admitted"] if counted_admitted else group["confirmed"]
        if count:
            people[group["organisation_id"]] = (
                group["organisation__name"],
                group["organisation__kind"],
                count,
            )
    came_before = set()
    if people:
        earlier = Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            edition__date__lt=edition.date,
            edition__is_demonstration=edition.is_demonstration,
            organisation_id__in=list(people),
        )
        came_before = set(earlier.values_list("organisation_id", flat=True).distinct())
    lines = {kind: [] for kind in kinds}
    for pk, (name, kind, count) in people.items():
        lines[kind].append(Represented(name, shown(count, minimum), pk not in came_before))
    for found in lines.values():
        found.sort(key=lambda line: (fold(line.name), line.name))
    return lines[OrganisationKind.POLE], lines[OrganisationKind.NETWORK]


def _signatures(edition):
    """The standing signatures recorded at the day's ceremony or signed on its date."""
    day_starts = dt.datetime.combine(edition.date, dt.time(0), tzinfo=PARIS)
    day_ends = dt.datetime.combine(edition.date + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)
    signatures = (
        Signature.objects.standing()
        .filter(Q(edition=edition) | Q(signed_at__gte=day_starts, signed_at__lt=day_ends))
        .select_related("organisation", "version")
    )
    kinds = dict(OrganisationKind.choices)
    lines = [
        SignatureLine(
            organisation=signature.organisation.name,
            kind=str(kinds.get(signature.organisation.kind, signature.organisation.kind)),
            version=signature.version.title,
        )
        for signature in signatures
    ]
    return sorted(lines, key=lambda line: (fold(line.organisation), line.organisation))


def _workshops(edition, door_lines, minimum):
    """A :class:`WorkshopLine` per workshop, in the programme's order (two queries)."""
    sessions = programme.workshops(edition)
    if not sessions:
        return []
    taken = programme.seats_taken(sessions)
    doors = {line.key: line for line in door_lines}
    lines = []
    for session in sessions:
        door = doors.get(session.pk)
        lines.append(
            WorkshopLine(
                title=session.title,
                seats=session.capacity,
                taken=shown(taken.get(session.pk, 0), minimum),
                admitted=shown(door.admitted, minimum) if door else None,
                has_door=door is not None,
            )
        )
    return lines


def _feedback(edition, minimum):
    """The questionnaire's results, without their free texts (four queries), or None."""
    questionnaire = Questionnaire.objects.filter(edition=edition).first()
    if questionnaire is None:
        return None
    found = results.of(questionnaire)
    questions = []
    for result in found.questions:
        question = result.question
        is_free_text = question.kind in FREE_TEXT
        visible = result.answered >= minimum and not is_free_text
        questions.append(
            QuestionLine(
                text=question.text,
                session=question.session.title if question.session else "",
                answered=result.answered,
                bars=list(result.bars) if visible else [],
                mean=result.mean if visible else None,
                is_free_text=is_free_text,
                shown=visible,
            )
        )
    return Feedback(
        responses=found.responses,
        asked=found.asked,
        rate=found.rate,
        shown=found.responses >= minimum,
        questions=questions,
    )


def fewer_answers_sentence(minimum):
    return ngettext(
        "Fewer than %(threshold)s answer: results not shown.",
        "Fewer than %(threshold)s answers: results not shown.",
        minimum,
    ) % {"threshold": minimum}


def responses_sentence(feedback):
    """How many answered, of how many asked, and the rate."""
    sentence = ngettext(
        "%(count)s answer to the questionnaire, from %(asked)s people asked.",
        "%(count)s answers to the questionnaire, from %(asked)s people asked.",
        feedback.responses,
    ) % {"count": feedback.responses, "asked": feedback.asked}
    if feedback.rate is None:
        return sentence
    return " ".join([sentence, _("Answer rate: %(rate)s%%.") % {"rate": feedback.rate}])


def free_texts_sentence(count):
    return ngettext(
        "%(count)s free-text answer, on the results page.",
        "%(count)s free-text answers, on the results page.",
        count,
    ) % {"count": count}


def counted_sentence(report):
    """What the figures count, in one sentence."""
    if report.admissions_recorded:
        return _(
            "People are counted once each: confirmed registrations, and those of them admitted "
            "at the door. Cancelled registrations are not counted."
        )
    return _(
        "No admission at the door was recorded for this day: the figures below count the "
        "confirmed registrations, whether or not these people came."
    )


def threshold_sentence(report):
    return ngettext(
        "No figure shows a group of fewer than %(threshold)s person: smaller groups are "
        "merged into one row, and a figure still smaller reads “%(below)s”. Totals are exact.",
        "No figure shows a group of fewer than %(threshold)s people: smaller groups are "
        "merged into one row, and a figure still smaller reads “%(below)s”. Totals are exact.",
        report.threshold,
    ) % {"threshold": report.threshold, "below": report.below}


def filename(edition):
    return _("report-%(slug)s.pdf") % {"slug": edition.slug}
