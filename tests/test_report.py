"""The report of a day for its funders (ptce.report): figures against a small day built here
(categories, organisation kinds, regions, a pole there for the first time and one seen at an
earlier day, charter signatures of the day, workshops, the questionnaire shown only from the
threshold's number of answers), the threshold's merged row and "< 5", the page for a
viewer, the texts' form for an editor (hostile text escaped), and the PDF read back.
"""

import datetime as dt
import io
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from admission import workshop_door
from admission.attendance import Line
from charter.models import Signature
from events.copying import copy_edition
from feedback import questionnaires
from feedback.enums import QuestionnaireStatus
from feedback.models import FeedbackLink
from network.enums import OrganisationKind
from ptce import report as reports
from registrations.capacity import register
from registrations.enums import RegistrationStatus, Source, WorkshopChoiceStatus
from registrations.models import WorkshopChoice
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    CharterVersionFactory,
    EditionFactory,
    EntranceFactory,
    OrganisationFactory,
    RegistrationFactory,
    SignatureFactory,
    WorkshopFactory,
    admit_at_the_door,
)

pytestmark = [pytest.mark.django_db]

_numbers = itertools.count()
#: A Friday in the past: the day is over whenever the tests run.
DAY = dt.date(2014, 9, 19)
HOSTILE = '<script>alert("x")</script> & <b>gras</b>'


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PTCE_REPORT_MIN_GROUP = 5


def attendee(edition, category, **details):
    return register(
        edition,
        category=category,
        first_name="Camille",
        last_name=f"Exemple {next(_numbers)}",
        email=f"bilan{next(_numbers)}@example.org",
        by_organiser=True,
        **details,
    )


def organisation(name, kind, department="69"):
    return OrganisationFactory(name=name, kind=kind, department_code=department)


@pytest.fixture
def day(cast):
    """21 confirmed people, 19 admitted (see each line); the figures the tests expect.

    Participant: Pôle Nouveau 6/6, Pôle Ancien 5/5, Pôle Petit 2/2, Pôle Absent 1/0, four
    people of no organisation in the directory 4/4 (two of them registered at the desk);
    Intervenant: Réseau Partenaire 2/2; Presse: Agence Exemple 1/0. The poles are in the
    Rhône (Auvergne-Rhône-Alpes), the network and the agency in Paris.
    """
    edition = cast.edition
    edition.title = "Journée du bilan"
    edition.date = DAY
    edition.save()
    participant = CategoryFactory(edition=edition, name="Participant", position=0)
    speaker = CategoryFactory(edition=edition, name="Intervenant", position=1)
    press = CategoryFactory(edition=edition, name="Presse", position=2)
    door = EntranceFactory(edition=edition)
    new_pole = organisation("Pôle Nouveau", OrganisationKind.POLE)
    old_pole = organisation("Pôle Ancien", OrganisationKind.POLE)
    small_pole = organisation("Pôle Petit", OrganisationKind.POLE)
    absent_pole = organisation("Pôle Absent", OrganisationKind.POLE)
    network = organisation("Réseau Partenaire", OrganisationKind.NETWORK, "75")
    agency = organisation("Agence Exemple", OrganisationKind.PUBLIC_BODY, "75")

    admitted = []
    for pole, count in ((new_pole, 6), (old_pole, 5), (small_pole, 2)):
        admitted += [attendee(edition, participant, organisation=pole) for _ in range(count)]
    attendee(edition, participant, organisation=absent_pole)
    admitted += [attendee(edition, participant, organisation_name="Tiers-lieu") for _ in range(2)]
    admitted += [attendee(edition, participant, source=Source.WALK_IN) for _ in range(2)]
    admitted += [attendee(edition, speaker, organisation=network) for _ in range(2)]
    attendee(edition, press, organisation=agency)
    # A cancellation counts nowhere, even admitted before.
    cancelled = attendee(edition, participant, organisation=new_pole)
    admit_at_the_door(cancelled, door)
    cancelled.status = RegistrationStatus.CANCELLED
    cancelled.save()
    for registration in admitted:
        admit_at_the_door(registration, door)

    # Pôle Ancien came to an earlier day; Pôle Nouveau only cancelled there, and the network
    # is registered at a later day only: both are there for the first time.
    earlier = EditionFactory(date=DAY - dt.timedelta(days=365))
    RegistrationFactory(edition=earlier, organisation=old_pole)
    RegistrationFactory(edition=earlier, organisation=new_pole, status="cancelled")
    later = EditionFactory(date=DAY + dt.timedelta(days=365))
    RegistrationFactory(edition=later, organisation=network)

    version = CharterVersionFactory()
    on_the_day = edition.starts_at + dt.timedelta(hours=3)
    SignatureFactory(version=version, organisation=new_pole, edition=edition, signed_at=on_the_day)
    # Signed online on the day, not at the ceremony.
    SignatureFactory(version=version, organisation=network, signed_at=on_the_day)
    SignatureFactory(
        version=version,
        organisation=small_pole,
        edition=edition,
        signed_at=on_the_day,
        revoked_at=on_the_day + dt.timedelta(days=2),
    )
    SignatureFactory(
        version=version, organisation=agency, signed_at=on_the_day - dt.timedelta(days=3)
    )

    big = WorkshopFactory(edition=edition, title="Atelier plein", capacity=30)
    small = WorkshopFactory(edition=edition, title="Atelier intime", capacity=10)
    for workshop, people in ((big, admitted[:6]), (small, admitted[6:8])):
        WorkshopChoice.objects.bulk_create(
            WorkshopChoice(
                registration=registration,
                session=workshop,
                status=WorkshopChoiceStatus.CONFIRMED,
                requested_at=timezone.now(),
            )
            for registration in people
        )
    return edition, admitted


def answer_questionnaire(edition, registrations, ratings):
    """One response per registration with the suggested questions: a rating, a single
    choice ("Yes"), several choices for the first three only, and a free text."""
    questionnaire = questionnaires.of_edition(edition)
    questionnaire.status = QuestionnaireStatus.READY
    questionnaire.sent_count = 19
    questionnaire.save()
    rating, single, multiple, text = questionnaire.questions.all()
    for index, (registration, value) in enumerate(zip(registrations, ratings, strict=True)):
        link = FeedbackLink.objects.create(questionnaire=questionnaire, registration=registration)
        values = {rating.pk: value, single.pk: 0, text.pk: f"Secret idea {index}"}
        if index < 3:
            values[multiple.pk] = [0, 1]
        questionnaires.answer(link, values)
    return questionnaire


# Figures ----------------------------------------------------------------------------------


def rows(lines):
    return [(row.label, row.confirmed, row.admitted, row.is_other) for row in lines]


OTHER = "Other groups (fewer than 5 people each)"


def test_breakdowns_merge_small_groups_and_hide_a_small_merged_row(day):
    edition, _admitted = day
    report = reports.report(edition)

    assert report.admissions_recorded is True
    assert (report.overall.confirmed, report.overall.admitted) == (21, 19)
    # Two people registered at the desk: fewer than five, not shown.
    assert (report.walk_ins.confirmed, report.walk_ins.admitted) == (None, None)
    # Intervenant (2/2) and Presse (1/0) together are 3/2: still too small.
    assert rows(report.categories) == [("Participant", 18, 17, False), (OTHER, None, None, True)]
    # Network 2/2, public body 1/0, outside the directory 4/4: 7/6 together.
    assert rows(report.kinds) == [("Pole (PTCE)", 14, 13, False), (OTHER, 7, 6, True)]
    assert rows(report.regions) == [("Auvergne-Rhône-Alpes", 14, 13, False), (OTHER, 7, 6, True)]
    assert report.below == "< 5"


def test_a_row_is_merged_for_a_small_admitted_figure_and_zeros_are_shown():
    lines = [
        Line("Grand", 20, 18),
        Line("Peu venus", 9, 3),
        Line("Personne venu", 7, 0),
        Line("Vide", 0, 0),
    ]

    assert rows(reports.guarded(lines, 5)) == [
        ("Grand", 20, 18, False),
        ("Personne venu", 7, 0, False),
        ("Vide", 0, 0, False),
        (OTHER, 9, None, True),
    ]
    assert rows(reports.guarded(lines, 1)) == [
        ("Grand", 20, 18, False),
        ("Peu venus", 9, 3, False),
        ("Personne venu", 7, 0, False),
        ("Vide", 0, 0, False),
    ]


def test_poles_and_networks_represented_and_those_there_for_the_first_time(day):
    edition, _admitted = day
    report = reports.report(edition)

    # Pôle Absent had nobody admitted; Pôle Petit's two people are not counted out loud.
    assert [(p.name, p.people, p.first_time) for p in report.poles] == [
        ("Pôle Ancien", 5, False),
        ("Pôle Nouveau", 6, True),
        ("Pôle Petit", None, True),
    ]
    assert [(n.name, n.people, n.first_time) for n in report.networks] == [
        ("Réseau Partenaire", None, True),
    ]
    assert [p.name for p in report.new_poles] == ["Pôle Nouveau", "Pôle Petit"]


def test_without_any_admission_the_confirmed_people_are_counted(cast):
    edition = cast.edition
    category = CategoryFactory(edition=edition, name="Participant")
    pole = organisation("Pôle Sans Contrôle", OrganisationKind.POLE)
    for _ in range(5):
        attendee(edition, category, organisation=pole)

    report = reports.report(edition)

    assert report.admissions_recorded is False
    assert [(p.name, p.people) for p in report.poles] == [("Pôle Sans Contrôle", 5)]
    assert "No admission at the door was recorded" in reports.counted_sentence(report)


def test_signatures_of_the_day_at_the_ceremony_or_signed_that_day_not_revoked(day):
    edition, _admitted = day
    report = reports.report(edition)

    assert [(s.organisation, s.kind) for s in report.signatures] == [
        ("Pôle Nouveau", "Pole (PTCE)"),
        ("Réseau Partenaire", "Network"),
    ]
    assert Signature.objects.count() == 4


def test_workshops_fill_with_small_figures_hidden(day):
    edition, _admitted = day
    report = reports.report(edition)

    # In the programme's order: by time, then room (the factory's rooms vary with the run).
    assert sorted((w.title, w.seats, w.taken, w.has_door) for w in report.workshops) == [
        ("Atelier intime", 10, None, False),
        ("Atelier plein", 30, 6, False),
    ]


def test_workshop_doors_count_the_people_admitted_at_them(day):
    edition, admitted = day
    workshop = edition.sessions.get(title="Atelier plein")
    door = EntranceFactory(edition=edition, session=workshop)
    for registration in admitted[:5]:
        verdict = workshop_door.admit(
            edition,
            registration=registration.pk,
            entrance=door,
            agent=None,
            nonce=f"atelier-{registration.pk}",
            now=edition.starts_at + dt.timedelta(hours=5),
        )
        assert verdict.result == "admitted"

    report = reports.report(edition)

    (line,) = [line for line in report.workshops if line.title == "Atelier plein"]
    assert (line.title, line.taken, line.admitted, line.has_door) == ("Atelier plein", 6, 5, True)


def test_feedback_is_shown_only_from_the_threshold_of_responses(day):
    edition, admitted = day
    answer_questionnaire(edition, admitted[:4], [5, 4, 5, 3])

    feedback = reports.report(edition).feedback
    assert (feedback.responses, feedback.asked, feedback.shown) == (4, 19, False)

    answer_questionnaire(edition, admitted[4:5], [4])
    feedback = reports.report(edition).feedback
    assert (feedback.responses, feedback.rate, feedback.shown) == (5, 26, True)
    rating, single, multiple, text = feedback.questions
    assert rating.mean == 4.2
    assert [(bar.label, bar.count) for bar in rating.bars] == [
        ("1", 0),
        ("2", 0),
        ("3", 1),
        ("4", 2),
        ("5", 2),
    ]
    assert (single.bars[0].label, single.bars[0].count, single.bars[0].percent) == ("Yes", 5, 100)
    # Four answers to the multiple choice (the first three of each batch): not shown.
    assert (multiple.answered, multiple.shown, multiple.bars) == (4, False, [])
    # Free texts: only their number.
    assert (text.is_free_text, text.answered, text.bars) == (True, 5, [])
    assert not hasattr(text, "texts")


def test_no_questionnaire_no_feedback_section(day):
    edition, _admitted = day
    assert reports.report(edition).feedback is None


def test_the_report_takes_a_fixed_number_of_queries(day, django_assert_num_queries):
    edition, admitted = day
    answer_questionnaire(edition, admitted[:5], [5, 4, 5, 3, 4])
    with django_assert_num_queries(13):
        reports.report(edition)
    answer_questionnaire(edition, admitted[5:10], [1, 2, 3, 4, 5])
    category = edition.categories.get(name="Participant")
    door = edition.entrances.first()
    for number in range(5):
        pole = organisation(f"Pôle En Plus {number}", OrganisationKind.POLE)
        admit_at_the_door(attendee(edition, category, organisation=pole), door)
    with django_assert_num_queries(13):
        reports.report(edition)


# Pages --------------------------------------------------------------------------------------


def test_the_page_shows_the_report_to_a_viewer(day, cast):
    edition, admitted = day
    edition.report_introduction = HOSTILE
    edition.save()
    answer_questionnaire(edition, admitted[:5], [5, 4, 5, 3, 4])

    response = log_in(Client(), cast.viewer).get(reverse("report", args=[edition.slug]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Pôle Nouveau" in body
    assert OTHER in body
    assert "&lt; 5" in body
    assert "5 free-text answers, on the results page." in body
    assert "Secret idea" not in body
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    # A viewer may not write the texts: no link to the form.
    assert reverse("report_texts", args=[edition.slug]) not in body
    assert 'scope="row"' in body
    assert "<caption" in body


def test_an_editor_writes_the_texts_and_they_are_shown_escaped(cast):
    edition = cast.edition
    url = reverse("report_texts", args=[edition.slug])
    client = log_in(Client(), cast.editor)
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"report_introduction": HOSTILE, "report_conclusions": "Merci à tous."}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("report", args=[edition.slug])
    edition.refresh_from_db()
    assert (edition.report_introduction, edition.report_conclusions) == (HOSTILE, "Merci à tous.")
    body = client.get(response["Location"]).content.decode()
    assert "<b>gras</b>" not in body
    assert "&lt;b&gt;gras&lt;/b&gt;" in body
    assert "Merci à tous." in body


def test_the_texts_are_limited_in_length(cast):
    client = log_in(Client(), cast.editor)
    response = client.post(
        reverse("report_texts", args=[cast.edition.slug]),
        {"report_introduction": "a" * 10001, "report_conclusions": ""},
    )
    assert response.status_code == 200
    cast.edition.refresh_from_db()
    assert cast.edition.report_introduction == ""


def test_the_pdf_holds_the_figures_the_texts_and_no_free_text(day, cast):
    edition, admitted = day
    edition.report_introduction = HOSTILE
    edition.report_conclusions = "Rendez-vous l'an prochain."
    edition.save()
    answer_questionnaire(edition, admitted[:5], [5, 4, 5, 3, 4])

    response = log_in(Client(), cast.viewer).get(reverse("report_pdf", args=[edition.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Report of the day",
        "Journée du bilan",
        HOSTILE,
        "Rendez-vous l'an prochain.",
        "Participant",
        "Pôle Nouveau",
        "Pôle Ancien",
        "Réseau Partenaire",
        OTHER,
        "< 5",
        "Auvergne-Rhône-Alpes",
        "Atelier plein",
        "Average: 4.2 out of 5, from 5 answers.",
        "5 free-text answers, on the results page.",
        "5 answers to the questionnaire, from 19 people asked. Answer rate: 26%.",
    ):
        assert expected in text, expected
    for figure in ("21", "19", "18", "17", "14", "13"):
        assert figure in text.split(), figure
    assert "Secret idea" not in text
    assert reader.metadata.title == "Report of the day: Journée du bilan"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[0] == "Report of the day"
    titles = [item.title for item in _flatten(reader.outline)]
    assert "Registrations and attendance" in titles
    assert "Poles and networks represented" in titles


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_the_texts_are_not_copied_to_the_next_edition(cast):
    edition = cast.edition
    edition.report_introduction = "Introduction de cette journée."
    edition.report_conclusions = "Conclusions de cette journée."
    edition.save()

    copy = copy_edition(
        edition, title="Journée suivante", slug="journee-suivante", date=DAY + dt.timedelta(400)
    )

    assert (copy.report_introduction, copy.report_conclusions) == ("", "")
