"""An edition's materials: files checked on their content, links, publication, serving."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from events import materials
from events.models import Material, MaterialKind, MaterialPublication
from tests.auth import log_in
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def base(edition):
    return f"/journees/{edition.slug}/gestion/programme/documents/"


def png(width=2400, height=1200, **save):
    output = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(output, format="PNG", **save)
    return output.getvalue()


def pptx():
    """A minimal presentation, the same bytes at every call: its entries carry a fixed date
    (a zip stamps the current time, and the bytes name a parametrized test, which pytest-xdist's
    workers must collect alike)."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, text in (
            (
                "[Content_Types].xml",
                '<Types><Override PartName="/ppt/presentation.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>'
                "</Types>",
            ),
            ("ppt/presentation.xml", "<p:presentation/>"),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2014, 9, 19, 9, 0, 0)), text)
    return output.getvalue()


def upload(client, edition, name, content, **data):
    fields = {
        "title": "Diaporama",
        "description": "Les diapositives de l'ouverture",
        "publication": MaterialPublication.NOW,
        "position": 0,
        **data,
    }
    if "/" in name or "\\" in name or not name.isprintable():
        # The test client, as browsers, sends the last part of a name only: the body is
        # written here as a hostile client would.
        return client.post(
            f"{base(edition)}fichier/",
            data=raw_multipart(fields, name, content),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
    return client.post(
        f"{base(edition)}fichier/", {"upload": SimpleUploadedFile(name, content), **fields}
    )


BOUNDARY = "----materialboundary"


def raw_multipart(fields, file_name, content):
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; '
        f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def error_of(response):
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["form"].errors.get("upload", []))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("slides.pdf", png(20, 20), "The file's content is not a PDF, whatever its name says."),
        ("photo.png", PDF, "The file's content is not a PNG, whatever its name says."),
        ("slides.pdf", b"MZ\x90\x00 an executable", "This kind of file is not accepted"),
        (
            "logo.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(document.cookie)</script></svg>",
            "SVG images are not accepted: export the image as PNG.",
        ),
        (
            "logo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            "SVG images are not accepted: export the image as PNG.",
        ),
        ("../../etc/slides.pdf", PDF, "may not contain “/”, “\\”, “..” or control characters"),
        ("..\\slides.pdf", PDF, "may not contain"),
        ("slides\x00.pdf", PDF, "may not contain"),
        ("slides.zip", pptx()[:40] + b"broken", "This kind of file is not accepted"),
    ],
    ids=[
        "png-named-pdf",
        "pdf-named-png",
        "executable",
        "svg-with-script",
        "svg-named-png",
        "parent-path",
        "backslash-path",
        "control-character",
        "broken-zip",
    ],
)
def test_refused_files_say_why_and_store_nothing(client, cast, settings, name, content, message):
    response = upload(log_in(client, cast.editor), cast.edition, name, content)
    assert message in error_of(response)
    assert not Material.objects.exists()
    assert stored_files(settings) == []


def test_the_check_refuses_a_path_whatever_the_way_in(settings):
    with pytest.raises(ValidationError, match="may not contain"):
        materials.check_name("a/b.pdf")
    with pytest.raises(ValidationError, match="may not contain"):
        materials.check_name("a..pdf")
    materials.check_name("Diapos jour 2.pdf")


def test_the_csrf_token_is_still_checked(cast, settings):
    client = Client(enforce_csrf_checks=True)
    log_in(client, cast.editor)
    response = upload(client, cast.edition, "a.pdf", PDF)
    assert response.status_code == 403
    assert not Material.objects.exists()
    assert stored_files(settings) == []


def test_an_oversized_file_is_refused(client, cast, settings):
    settings.PTCE_MATERIAL_MAX_BYTES = 1024
    response = upload(log_in(client, cast.editor), cast.edition, "slides.pdf", PDF + b" " * 2000)
    assert "at most 1.0\xa0KB are accepted" in error_of(response)
    assert not Material.objects.exists()
    assert stored_files(settings) == []


def test_an_editor_adds_a_pdf_and_the_programme_shows_it(client, cast, settings):
    session = SessionFactory(edition=cast.edition, title="Ouverture")
    log_in(client, cast.editor)
    response = upload(client, cast.edition, "Diapos jour 2.pdf", PDF, session=session.pk)
    assert response.status_code == 302
    material = Material.objects.get()
    assert (material.kind, material.content_type, material.size) == (
        MaterialKind.FILE,
        "application/pdf",
        len(PDF),
    )
    assert material.file_name == "diapos-jour-2.pdf"
    assert material.created_by == cast.editor
    # Stored under a random name, never the one sent.
    assert "diapos" not in material.file.name
    assert material.file.name.startswith(f"materials/{cast.edition.slug}/")
    assert len(stored_files(settings)) == 1

    client.logout()
    page = client.get(f"/journees/{cast.edition.slug}/programme/").content.decode()
    assert f'href="{material.get_absolute_url()}">Diaporama</a>' in page
    assert "(PDF, " in page

    served = client.get(material.get_absolute_url())
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PDF
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == 'inline; filename="diapos-jour-2.pdf"'
    assert served["Content-Security-Policy"] == "sandbox"


def test_an_image_is_resized_and_stripped_and_shown_with_its_description(client, cast):
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    content = png(exif=exif)
    log_in(client, cast.organiser)
    response = upload(
        client, cast.edition, "photo.png", content, description="La salle pleine, vue du fond"
    )
    assert response.status_code == 302
    material = Material.objects.get()
    with material.file.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (1600, 800)
        assert not image.getexif()
    client.logout()
    page = client.get(f"/journees/{cast.edition.slug}/").content.decode()
    assert f'<img src="{material.get_absolute_url()}" alt="La salle pleine, vue du fond"' in page


def test_a_presentation_is_recognised_inside_its_zip_and_downloaded(client, cast):
    log_in(client, cast.editor)
    assert upload(client, cast.edition, "slides.pptx", pptx()).status_code == 302
    material = Material.objects.get()
    assert material.type_label == "PowerPoint"
    served = client.get(material.get_absolute_url())
    assert served["Content-Disposition"] == 'attachment; filename="slides.pptx"'
    # A zip that is no presentation is not one, whatever its name.
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    response = upload(client, cast.edition, "other.pptx", other.getvalue())
    assert "This kind of file is not accepted" in error_of(response)


def test_a_file_needs_its_description(client, cast, settings):
    response = upload(log_in(client, cast.editor), cast.edition, "a.pdf", PDF, description="")
    assert response.status_code == 200
    assert response.context["form"].errors["description"]
    assert stored_files(settings) == []


def test_links_are_http_or_https_only(client, cast):
    log_in(client, cast.editor)
    data = {"title": "Replay", "publication": MaterialPublication.NOW, "position": 0}
    refused = client.post(f"{base(cast.edition)}lien/", {**data, "url": "javascript:alert(1)"})
    assert refused.status_code == 200
    assert not Material.objects.exists()
    response = client.post(f"{base(cast.edition)}lien/", {**data, "url": "https://video.example"})
    assert response.status_code == 302
    link = Material.objects.get()
    assert (link.kind, link.url) == (MaterialKind.LINK, "https://video.example")
    client.logout()
    page = client.get(f"/journees/{cast.edition.slug}/").content.decode()
    assert '<a href="https://video.example" rel="noopener noreferrer">Replay</a>' in page


def test_a_draft_is_hidden_from_visitors_and_seen_by_editors(client, cast):
    log_in(client, cast.editor)
    upload(client, cast.edition, "a.pdf", PDF, publication=MaterialPublication.DRAFT)
    material = Material.objects.get()
    preview = client.get(material.get_absolute_url())
    assert preview.status_code == 200
    assert preview["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.get(material.get_absolute_url()).status_code == 404
    assert "Diaporama" not in client.get(f"/journees/{cast.edition.slug}/").content.decode()
    # The right address only: another name is a 404.
    assert client.get(material.get_absolute_url().replace("a.pdf", "b.pdf")).status_code == 404


def test_after_the_day_is_shown_once_the_day_has_ended(client, cast):
    log_in(client, cast.editor)
    upload(client, cast.edition, "a.pdf", PDF, publication=MaterialPublication.AFTER_DAY)
    material = Material.objects.select_related("edition").get()
    ends = material.edition.ends_at
    assert not material.is_visible(ends - dt.timedelta(seconds=1))
    assert material.is_visible(ends)
    client.logout()
    assert client.get(material.get_absolute_url()).status_code == 404

    cast.edition.date = dt.date.today() - dt.timedelta(days=2)
    cast.edition.save()
    assert client.get(material.get_absolute_url()).status_code == 200
    assert "Diaporama" in client.get(f"/journees/{cast.edition.slug}/").content.decode()


def test_the_programme_reads_materials_in_one_query(client, cast, django_assert_max_num_queries):
    log_in(client, cast.editor)
    sessions = [SessionFactory(edition=cast.edition) for _ in range(3)]
    for session in sessions:
        upload(client, cast.edition, "a.pdf", PDF, session=session.pk)
    client.logout()
    url = f"/journees/{cast.edition.slug}/programme/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert page.count("(PDF, ") == 3
    assert sum('"events_material"' in q["sql"] for q in queries.captured_queries) == 1


def test_editing_deleting_and_the_list(client, cast, settings):
    log_in(client, cast.organiser)
    upload(client, cast.edition, "a.pdf", PDF)
    material = Material.objects.get()
    listing = client.get(base(cast.edition))
    assert listing.status_code == 200
    assert "Diaporama" in listing.content.decode()
    change = client.get(f"{base(cast.edition)}{material.pk}/")
    assert 'enctype="multipart/form-data"' not in change.content.decode()
    assert (
        'enctype="multipart/form-data"'
        in client.get(f"{base(cast.edition)}fichier/").content.decode()
    )
    response = client.post(
        f"{base(cast.edition)}{material.pk}/",
        {
            "title": "Slides",
            "description": "Les diapositives",
            "publication": "draft",
            "position": 2,
        },
    )
    assert response.status_code == 302
    material.refresh_from_db()
    assert (material.title, material.publication) == ("Slides", "draft")
    assert client.post(f"{base(cast.edition)}{material.pk}/supprimer/").status_code == 302
    assert not Material.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("who", ["agent", "viewer", "outsider", "other_organiser"])
def test_other_roles_cannot_reach_the_editing_pages(client, cast, settings, who):
    log_in(client, getattr(cast, who))
    assert client.get(base(cast.edition)).status_code == 403
    assert upload(client, cast.edition, "a.pdf", PDF).status_code == 403
    assert not Material.objects.exists()
    assert stored_files(settings) == []


def test_anonymous_visitors_go_to_the_login_page(client, cast):
    url = base(cast.edition)
    assert client.get(url)["Location"] == f"/connexion/?next={url}"


def test_the_admin_lists_and_shows_a_material_without_an_upload(client, cast):
    session = SessionFactory(edition=cast.edition, title="Ouverture")
    log_in(client, cast.editor)
    upload(client, cast.edition, "a.pdf", PDF, session=session.pk)
    material = Material.objects.get()
    log_in(client, cast.superuser)

    listing = client.get("/admin/events/material/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [material]
    change = client.get(f"/admin/events/material/{material.pk}/change/")
    assert change.status_code == 200
    page = change.content.decode()
    assert f'<a href="{material.get_absolute_url()}">a.pdf</a>' in page
    assert 'type="file"' not in page
    assert set(change.context["adminform"].form.fields) == {
        "session",
        "title",
        "description",
        "publication",
        "position",
    }
    assert list(change.context["adminform"].form.fields["session"].queryset) == [session]
    assert client.get("/admin/events/material/add/").status_code == 403

    other = SessionFactory(edition=cast.edition_two)
    data = {
        "title": "Slides",
        "description": "Les diapositives",
        "publication": MaterialPublication.NOW,
        "position": 1,
    }
    refused = client.post(change.request["PATH_INFO"], {**data, "session": other.pk})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["session"]
    saved = client.post(change.request["PATH_INFO"], {**data, "session": session.pk})
    assert saved.status_code == 302
    material.refresh_from_db()
    assert (material.title, material.publication, material.size) == ("Slides", "now", len(PDF))
