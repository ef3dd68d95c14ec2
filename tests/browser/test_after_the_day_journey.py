"""After the day in Chromium, in French (issue 19): an admitted attendee answers the
questionnaire from the link of the email read on a real SMTP server; a second answer through
the same link, from a tab opened before, is refused; the organiser reads the results and
downloads the report, whose text (extracted back) holds the figures computed here. Every page
is checked with axe-core, for CSP violations and for console errors.
"""

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from feedback import questionnaires
from feedback.enums import QuestionKind, QuestionnaireStatus
from feedback.models import FeedbackLink, Response
from registrations.capacity import register
from tests.auth import log_in_tab
from tests.conftest import deliver_outbox
from tests.factories import CategoryFactory, EntranceFactory, admit_at_the_door

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("tab", ["phone"], indirect=True),
]

DAY = dt.date(2014, 9, 19)
#: The ratings given by the five people who answer before Anne (she gives 5).
OTHERS = (4, 4, 3, 5, 2)


def come(edition, category, door, first_name, *, admitted=True):
    registration = register(
        edition,
        category=category,
        first_name=first_name,
        last_name="Exemple",
        email=f"{first_name.lower()}@example.org",
        by_organiser=True,
    )
    if admitted:
        admit_at_the_door(registration, door)
    return registration


def test_an_attendee_answers_once_and_the_organiser_reports(
    tab, cast, browser, live_server, smtp_server, settings
):
    settings.SITE_URL = live_server.url
    edition = cast.edition
    edition.date = DAY
    edition.save()
    category = CategoryFactory(edition=edition, name="Participant", slug="participant")
    door = EntranceFactory(edition=edition)
    anne = come(edition, category, door, "Anne")
    others = [come(edition, category, door, f"Personne{index}") for index in range(len(OTHERS))]
    come(edition, category, door, "Absente", admitted=False)

    questionnaire = questionnaires.of_edition(edition)
    questionnaire.status = QuestionnaireStatus.READY
    questionnaire.save()
    assert questionnaires.send_due() == {edition.slug: (6, 0)}
    rating = questionnaire.questions.get(kind=QuestionKind.RATING)
    for registration, score in zip(others, OTHERS, strict=True):
        link = FeedbackLink.objects.get(registration=registration)
        questionnaires.answer(link, {rating.pk: score})

    # Anne's email, read on the SMTP server.
    deliver_outbox()
    smtp_server.wait_for(6)
    (email,) = [message for message in smtp_server.to(anne.email) if "avis" in message["Subject"]]
    body = email.get_body(("plain",)).get_content()
    url = re.search(r"https?://\S+/avis/\S+/", body).group(0)
    path = url.removeprefix(live_server.url)

    page = tab.page
    tab.goto(path)
    tab.assert_clean()
    # A second tab, opened on the same link before she answers.
    second = page.context.new_page()
    second.goto(url)

    page.get_by_label("5 — très").check()
    page.get_by_label("Oui").check()
    page.get_by_label("Les débats").check()
    page.get_by_label("Les ateliers").check()
    page.get_by_label("Que devrions-nous améliorer la prochaine fois").fill(
        "Plus de temps pour les échanges entre pôles."
    )
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_url("**/merci/")
    assert "Merci pour vos réponses" in page.inner_text("main")
    tab.assert_clean()

    # The second tab sends its answers: refused, and nothing more is stored.
    second.get_by_label("1 — pas du tout").check()
    with second.expect_response(lambda response: response.request.method == "POST") as posted:
        second.get_by_role("button", name="Envoyer mes réponses").click()
    assert posted.value.status == 409
    assert "déjà" in second.inner_text("main")
    second.close()
    assert Response.objects.count() == 6
    # Opening the link again says so too.
    tab.goto(path)
    assert "chaque lien ne sert qu'une fois" in page.inner_text("main")
    tab.assert_clean()

    # The organiser.
    log_in_tab(tab, cast.organiser)
    tab.goto(f"/journees/{edition.slug}/gestion/avis/resultats/")
    results = page.inner_text("main")
    assert "Plus de temps pour les échanges entre pôles." in results
    tab.assert_clean()

    tab.goto(f"/journees/{edition.slug}/gestion/bilan/")
    tab.assert_clean()
    report = page.request.get(f"{live_server.url}/journees/{edition.slug}/gestion/bilan/bilan.pdf")
    assert report.status == 200
    assert report.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(report.body()))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", text)
    assert "Bilan de la journée" in text
    assert edition.title in text
    # Computed here: 7 confirmed, 6 admitted (86 %); 6 asked, 6 answers (100 %); the
    # rating's mean, 23 / 6.
    for figure in ("86 %", "100 %", "3,8"):
        assert figure in text, figure
