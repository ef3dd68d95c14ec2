"""Materials in Chromium, in French (issue 19): an editor uploads a PDF and adds a video link
to a session, both published; a visitor finds them on the programme and opens the PDF. Every
page is checked with axe-core, for CSP violations and for console errors."""

import pytest

from events.models import Material
from tests.auth import log_in_tab
from tests.factories import SessionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("tab", ["phone"], indirect=True),
]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_editor_publishes_a_pdf_and_a_video_link_that_a_visitor_finds(
    tab, cast, browser, live_server
):
    edition = cast.edition
    session = SessionFactory(edition=edition, title="Table ronde des pôles")
    page = tab.page
    log_in_tab(tab, cast.editor)
    documents = f"/journees/{edition.slug}/gestion/programme/documents/"

    tab.goto(documents + "fichier/")
    tab.assert_clean()
    page.locator("#id_session").select_option(str(session.pk))
    page.set_input_files(
        "#id_upload", {"name": "diapos.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.fill("#id_title", "Diaporama de la table ronde")
    page.fill("#id_description", "Les diapositives présentées par les pôles")
    page.locator("#id_publication").select_option("now")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{documents}")
    tab.assert_clean()

    tab.goto(documents + "lien/")
    page.locator("#id_session").select_option(str(session.pk))
    page.fill("#id_url", "https://video.example/table-ronde")
    page.fill("#id_title", "Rediffusion de la table ronde")
    page.locator("#id_publication").select_option("now")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{documents}")
    tab.assert_clean()

    pdf, link = Material.objects.order_by("pk")
    assert (pdf.session, pdf.kind, pdf.content_type) == (session, "file", "application/pdf")
    assert (link.session, link.kind, link.url) == (
        session,
        "link",
        "https://video.example/table-ronde",
    )

    # A visitor, without an account.
    visitor = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    other = visitor.new_page()
    other.goto(f"{live_server.url}/journees/{edition.slug}/programme/")
    listed = other.locator(f"#s{session.pk}")
    assert "Diaporama de la table ronde" in listed.inner_text()
    assert "PDF" in listed.inner_text()
    video = listed.get_by_role("link", name="Rediffusion de la table ronde")
    assert video.get_attribute("href") == "https://video.example/table-ronde"
    href = listed.get_by_role("link", name="Diaporama de la table ronde").get_attribute("href")
    response = other.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.body() == PDF
    visitor.close()
