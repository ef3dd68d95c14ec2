"""French as it is written (issue 16): "d'Élodie", "du Pôle Exemple", "9 h 30", "12 mars 1980".

First the rule of common.french, then the sentences that use it, the formats of times and
dates, and the wording of the dashboard and the audit log.
"""

import datetime as dt
import html
import io
import json
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation.template import templatize
from pypdf import PdfReader

from accounts.enums import AuditAction
from accounts.models import AuditEntry
from admission import security_list
from admission.tickets import ticket_pdf
from common import french
from network import territories
from network.enums import TerritoryLevel
from registrations import announcements, privacy
from registrations.enums import Diet, RegistrationStatus
from tests.auth import log_in
from tests.factories import (
    CategoryFactory,
    CharterVersionFactory,
    EditionFactory,
    RegistrationFactory,
    SessionFactory,
    VenueFactory,
)

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Marie Exemple", "de Marie Exemple"),
        ("Élodie Exemple", "d'Élodie Exemple"),
        ("Èva", "d'Èva"),
        ("Êve", "d'Êve"),
        ("Îlona", "d'Îlona"),
        ("Ôdile", "d'Ôdile"),
        ("Œdipe", "d'Œdipe"),
        ("Æsa", "d'Æsa"),
        ("Anne", "d'Anne"),
        ("Ugo", "d'Ugo"),
        ("ÉLODIE EXEMPLE", "d'ÉLODIE EXEMPLE"),
        ("alice", "d'alice"),
        ("élodie", "d'élodie"),
        ("bob", "de bob"),
        # Y before a consonant is a vowel; before a vowel, a consonant.
        ("Yves Exemple", "d'Yves Exemple"),
        ("Yvonne", "d'Yvonne"),
        ("Yann Exemple", "de Yann Exemple"),
        ("Yasmine", "de Yasmine"),
        ("Y", "de Y"),
        # H: mute when known, aspirated otherwise.
        ("Hélène Exemple", "d'Hélène Exemple"),
        ("Hugo", "d'Hugo"),
        ("hervé", "d'hervé"),
        ("Hugues Exemple", "de Hugues Exemple"),
        ("Hautes-Alpes", "de Hautes-Alpes"),
        ("H", "de H"),
        # No sound to elide before.
        ("2e Journée", "de 2e Journée"),
        ("« Oasis »", "de « Oasis »"),
        ("Домб", "de Домб"),
        ("李明", "de 李明"),
        # A person's name keeps its own article.
        ("Le Goff", "de Le Goff"),
        ("La Fontaine", "de La Fontaine"),
        ("Pôle Exemple", "de Pôle Exemple"),
        # Spaces are a name's business only inside it.
        ("  Élodie   Exemple ", "d'Élodie Exemple"),
        ("", "de"),
        (None, "de"),
        ("   ", "de"),
    ],
)
def test_de_elides_before_a_vowel_sound(name, expected):
    assert french.de(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Pôle Exemple des Deux-Rives", "du Pôle Exemple des Deux-Rives"),
        ("Réseau Exemple", "du Réseau Exemple"),
        ("Collectif Exemple", "du Collectif Exemple"),
        ("Groupement Exemple", "du Groupement Exemple"),
        ("Conseil régional", "du Conseil régional"),
        ("Comité Exemple", "du Comité Exemple"),
        ("Mouvement Exemple", "du Mouvement Exemple"),
        ("Labo de l'ESS", "du Labo de l'ESS"),
        ("Pays de Bray", "du Pays de Bray"),
        ("pole exemple", "du pole exemple"),
        ("PÔLE EXEMPLE", "du PÔLE EXEMPLE"),
        ("Coopérative Exemple", "de la Coopérative Exemple"),
        ("Maison Exemple de la coopération", "de la Maison Exemple de la coopération"),
        ("Halle Exemple", "de la Halle Exemple"),
        ("Atelier Exemple", "de l'Atelier Exemple"),
        ("Association Exemple", "de l'Association Exemple"),
        ("Ecopôle alimentaire", "de l'Ecopôle alimentaire"),
        ("Hôtel de Ville", "de l'Hôtel de Ville"),
        ("Journées PTCE 2026", "des Journées PTCE 2026"),
        ("Ateliers Exemple", "des Ateliers Exemple"),
        # A leading "Le" or "Les" contracts; "La" and "L'" stay as written.
        ("Le Phares", "du Phares"),
        ("Les Amis de la Terre", "des Amis de la Terre"),
        ("La Coursive Boutaric", "de La Coursive Boutaric"),
        ("L'Île-Saint-Denis", "de L'Île-Saint-Denis"),
        ("L\u2019Atelier", "de L\u2019Atelier"),
        ("Le", "de Le"),
        # Unknown first word: elided or not, never given an article.
        ("Sud Aquitain", "de Sud Aquitain"),
        ("Domb'Innov", "de Domb'Innov"),
        ("Oasis Exemple", "d'Oasis Exemple"),
        ("Annecy", "d'Annecy"),
        ("Ville-d'Avray", "de Ville-d'Avray"),
        ("Pôles", "de Pôles"),
        ("", "de"),
    ],
)
def test_de_gives_a_name_its_article_when_it_begins_with_a_known_noun(name, expected):
    assert french.de(name, article=True) == expected


@pytest.mark.parametrize(
    ("name", "article", "expected"),
    [
        ("Élodie Exemple", False, "à Élodie Exemple"),
        ("Le Goff", False, "à Le Goff"),
        ("Pôle Exemple", True, "au Pôle Exemple"),
        ("Maison Exemple", True, "à la Maison Exemple"),
        ("Espace Exemple", True, "à l'Espace Exemple"),
        ("Ateliers Exemple", True, "aux Ateliers Exemple"),
        ("Le Phares", True, "au Phares"),
        ("Les Amis", True, "aux Amis"),
        ("La Coursive", True, "à La Coursive"),
        ("Annecy", True, "à Annecy"),
        ("", True, "à"),
    ],
)
def test_a_never_elides_and_contracts_with_an_article(name, article, expected):
    assert french.a(name, article=article) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["d'Élodie", "du Pôle Exemple", "au Pôle Exemple"]),
        ("en", ["of Élodie", "of Pôle Exemple", "at Pôle Exemple"]),
    ],
)
def test_of_and_at_speak_the_active_language(language, expected):
    with translation.override(language):
        found = [
            french.of("Élodie"),
            french.of("Pôle Exemple", article=True),
            french.at("Pôle Exemple", article=True),
        ]

    assert found == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "d&#x27;Élodie &lt;b&gt; / du Pôle Exemple / à la Maison Exemple"),
        ("en", "of Élodie &lt;b&gt; / of Pôle Exemple / at Maison Exemple"),
    ],
)
def test_template_filters_give_the_phrase_escaped(language, expected):
    template = Template(
        "{% load french %}{{ person|of }} / {{ organisation|of_the }} / {{ venue|at_the }}"
    )
    context = Context(
        {"person": "Élodie <b>", "organisation": "Pôle Exemple", "venue": "Maison Exemple"}
    )

    with translation.override(language):
        assert template.render(context) == expected


# 1. Sentences that join "de" to a name --------------------------------------------------------


@pytest.fixture
def elodie(cast):
    category = CategoryFactory(edition=cast.edition, name="Participant")
    return RegistrationFactory(
        edition=cast.edition, category=category, first_name="Élodie", last_name="Exemple"
    )


def test_organiser_cancel_page_and_message_elide_de_before_a_vowel(client, cast, elodie):
    log_in(client, cast.organiser)
    url = reverse("registrations:registration_cancel", args=[cast.edition.slug, elodie.pk])

    french_page = html.unescape(client.get(url, **FRENCH).content.decode())
    english_page = client.get(url, **ENGLISH).content.decode()
    response = client.post(url, follow=True, **FRENCH)

    assert "<title>Annuler l'inscription d'Élodie Exemple · Journées PTCE</title>" in french_page
    assert f"<h1>Annuler l'inscription d'Élodie Exemple{NBSP}?" in french_page
    assert "de Élodie" not in french_page
    assert "Cancel the registration of Élodie Exemple?" in english_page
    assert [str(message) for message in response.context["messages"]] == [
        "L'inscription d'Élodie Exemple est annulée."
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            "vous avez demandé à signer la charte de la démarche collective PTCE au nom du "
            "Pôle Exemple.",
        ),
        (
            "en",
            "you asked to sign the charter of the collective approach of the PTCE on behalf "
            "of Pôle Exemple.",
        ),
    ],
)
def test_charter_email_signs_on_behalf_of_the_pole_with_its_article(language, expected):
    context = {
        "signing_request": {"representative_name": "Camille Exemple"},
        "organisation": "Pôle Exemple",
        "hours": 48,
    }

    with translation.override(language):
        text = render_to_string("charter/email/_confirm_link_body.txt", context)

    assert expected in " ".join(text.split())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "qui fait désormais partie d'Auvergne-Rhône-Alpes (84)."),
        ("en", "now part of Auvergne-Rhône-Alpes (84)."),
    ],
)
def test_former_region_names_the_current_one_with_an_elided_de(language, expected):
    with translation.override(language), pytest.raises(ValidationError) as caught:
        territories.validate_code(TerritoryLevel.REGION, "82")

    with translation.override(language):
        (message,) = caught.value.messages
    assert message.endswith(expected)


# 2. Times -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # No-break spaces around "h", so that a time never breaks across two lines.
        ("fr", ["9\u00a0h\u00a030", "10\u00a0h\u00a000", "6 déc. 2026 à 9\u00a0h\u00a030"]),
        ("en", ["9:30 a.m.", "10 a.m.", "6 Dec 2026, 9:30 a.m."]),
    ],
)
def test_times_read_as_each_language_writes_them(language, expected):
    with translation.override(language):
        found = [
            formats.time_format(dt.time(9, 30)),
            formats.time_format(dt.time(10)),
            formats.date_format(dt.datetime(2026, 12, 6, 9, 30), "SHORT_DATETIME_FORMAT"),
        ]

    assert found == expected


def test_programme_writes_9_h_30_and_keeps_the_machine_time(client, db):
    edition = EditionFactory(slug="exemple")
    SessionFactory(
        edition=edition, title="Accueil", start_time=dt.time(9, 30), end_time=dt.time(10)
    )

    html = client.get("/journees/exemple/programme/", **FRENCH).content.decode()

    assert f'<time datetime="09:30">9{NBSP}h{NBSP}30</time>' in html
    assert f'<time datetime="10:00">10{NBSP}h{NBSP}00</time>' in html


def test_dashboard_says_when_its_figures_were_counted_without_seconds(client, cast):
    log_in(client, cast.viewer)

    html = client.get(reverse("dashboard_fragment", args=[cast.edition.slug])).content.decode()

    assert re.search(rf"Chiffres à \d{{1,2}}{NBSP}h{NBSP}\d\d</p>", html)


def test_ticket_says_the_hours_as_french_writes_them(cast, elodie):
    content = ticket_pdf(elodie, language="fr")

    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "de 9 h 30 à 16 h 30" in text.replace(NBSP, " ")
    assert "09:30" not in text


# 3. Dates a person reads ------------------------------------------------------------------------


@pytest.fixture
def listed(cast):
    edition = cast.edition
    edition.security_fields = ["birth_date"]
    edition.save()
    category = CategoryFactory(edition=edition, name="Participant")
    return RegistrationFactory(
        edition=edition,
        category=category,
        first_name="Zoé",
        last_name="Étienne",
        birth_date=dt.date(1980, 3, 12),
    )


def test_security_list_pdf_writes_birth_dates_out_and_the_files_keep_iso(cast, listed):
    version = security_list.generate(cast.edition, by=cast.organiser)

    with translation.override("fr"):
        reader = PdfReader(io.BytesIO(security_list.as_pdf(version)))
        csv_text = security_list.as_csv(version).decode("utf-8-sig")
    lines = [line for page in reader.pages for line in page.extract_text().splitlines()]

    assert "12 mars 1980" in lines
    assert "1980-03-12" not in " ".join(lines)
    assert "1980-03-12" in csv_text


def test_registration_detail_writes_the_date_of_birth_out(client, cast, listed):
    log_in(client, cast.organiser)

    html = client.get(
        reverse("registrations:detail", args=[cast.edition.slug, listed.pk]), **FRENCH
    ).content.decode()

    assert "<dd>12 mars 1980</dd>" in html


# 4. Wording of the dashboard and of the audit log -----------------------------------------------


def test_dashboard_counts_people_in_the_plural_and_says_other_for_the_other_diet(client, cast):
    category = CategoryFactory(edition=cast.edition, name="Participant")
    RegistrationFactory(edition=cast.edition, category=category, diet=Diet.OTHER)
    RegistrationFactory(
        edition=cast.edition, category=category, status=RegistrationStatus.CANCELLED
    )
    log_in(client, cast.viewer)

    html = client.get(reverse("dashboard", args=[cast.edition.slug]), **FRENCH).content.decode()

    assert "<dt>Confirmées</dt>" in html
    assert "<dt>Annulées</dt>" in html
    assert "<dt>Confirmée</dt>" not in html
    assert "précisez" not in html
    assert '<th scope="row">Autre</th>' in html


def test_audit_lines_of_messages_erasures_and_retention_are_in_french(cast, elodie, settings):
    settings.LANGUAGE_CODE = "fr"
    edition = cast.edition
    with translation.override("en"):
        announcement, _ = announcements.send(
            edition,
            subject="Rappel",
            body="À bientôt.",
            audience={"statuses": ["confirmed"], "categories": [], "admitted": None},
            by=cast.organiser,
            submission_key=uuid.uuid4(),
        )
        privacy.erase(elodie, by=cast.organiser)
        later = timezone.now() + dt.timedelta(days=800)
        privacy.delete_venue_data(edition, now=later)
        privacy.anonymise_edition(edition, now=later)

    lines = list(AuditEntry.objects.filter(edition=edition).order_by("at", "pk"))

    assert [(line.action, line.what) for line in lines] == [
        (AuditAction.MESSAGE, f"Message {announcement.pk} aux participants"),
        (AuditAction.ERASURE, "Effacement des données personnelles d'une inscription"),
        (AuditAction.RETENTION, "Données pour le lieu et listes de sécurité supprimées"),
        (AuditAction.RETENTION, "Données personnelles anonymisées"),
    ]


# 5. What organisers wrote in French, on English pages ------------------------------------------


@pytest.fixture
def written(db):
    edition = EditionFactory(
        slug="exemple",
        summary="Une journée pour se rencontrer.",
        description="Des pôles et des réseaux.",
        venue=VenueFactory(accessibility="Salle de plain-pied."),
    )
    SessionFactory(edition=edition, title="Table ronde : coopérer", description="On débat.")
    return edition


def test_english_pages_mark_what_exists_in_french_only(client, written):
    edition_page = client.get("/journees/exemple/", **ENGLISH).content.decode()
    programme = client.get("/journees/exemple/programme/", **ENGLISH).content.decode()

    assert '<p class="lead" lang="fr">Une journée pour se rencontrer.</p>' in edition_page
    assert '<div lang="fr"><p>Des pôles et des réseaux.</p></div>' in edition_page
    assert '<div lang="fr"><p>Salle de plain-pied.</p></div>' in edition_page
    assert 'lang="fr">Table ronde : coopérer</h2>' in programme
    assert '<div class="session-description" lang="fr"><p>On débat.</p></div>' in programme


def test_french_pages_need_no_lang_but_their_own(client, written):
    for path in ("/journees/exemple/", "/journees/exemple/programme/"):
        page = client.get(path, **FRENCH).content.decode()

        # The page's own, and French in the menu of languages.
        assert re.findall(r'<(\w+)[^>]*\slang="fr"', page) == ["html", "option"]


def test_charter_text_is_marked_french_on_the_english_page(client, db):
    CharterVersionFactory(slug="2014", text="Premier paragraphe.")

    html = client.get("/charte/2014/", **ENGLISH).content.decode()

    assert '<p lang="fr">Premier paragraphe.</p>' in html


# 6. The French catalogue holds every message of the code ---------------------------------------

SOURCE = Path(settings.BASE_DIR) / "src"
FRENCH_PO = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"
#: As makemessages calls xgettext (django.core.management.commands.makemessages).
KEYWORDS = [
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]


def catalogue_keys(po):
    """``(msgctxt, msgid)`` of each message of a .po or .pot file, header aside."""
    text = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", str(po)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    ).stdout
    keys, entry, field = set(), {}, None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if entry.get("msgid"):
                keys.add((entry.get("msgctxt"), entry["msgid"]))
            entry, field = {}, None
        elif line.startswith('"'):
            entry[field] += json.loads(line)
        elif not line.startswith("#"):
            field, value = line.split(" ", 1)
            entry[field] = json.loads(value)
    return keys


def test_every_message_of_the_code_is_in_the_french_catalogue(tmp_path):
    """What makemessages would add: a msgid in the code that nobody added to the catalogue
    is English on a French page, and the other catalogue tests cannot see it."""
    sources = [str(path) for path in SOURCE.rglob("*.py") if "locale" not in path.parts]
    for template in [*SOURCE.rglob("*.html"), *SOURCE.rglob("*/templates/**/*.txt")]:
        target = tmp_path / f"{len(sources)}.py"
        target.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)))
        sources.append(str(target))
    listed = tmp_path / "sources.txt"
    listed.write_text("\n".join(sources))
    pot = tmp_path / "django.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            *KEYWORDS,
            "--files-from",
            str(listed),
            "--output",
            str(pot),
        ],
        check=True,
    )

    missing = sorted(catalogue_keys(pot) - catalogue_keys(FRENCH_PO), key=str)

    assert missing == []
