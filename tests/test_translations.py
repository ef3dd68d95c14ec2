"""The message catalogues: French complete, checked and compiled; English falls back to msgids.

French is the site's default language, so an untranslated or fuzzy French entry is an English
word on a French page. The rendering tests read the compiled catalogue (`make messages`).
"""

import datetime as dt
import gettext
import html
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from accounts.enums import Role
from events.enums import SecurityField, SessionKind
from network import composition
from network.enums import LegalForm, MemberCategory
from tests.auth import log_in
from tests.factories import (
    EditionFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    PoleMemberFactory,
    RecognitionFactory,
    SectorFactory,
    SessionFactory,
    SpeakerFactory,
    TerritoryAreaFactory,
    UserFactory,
    VenueFactory,
)

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
FRENCH_PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po"
FRENCH_MO = FRENCH_PO.with_suffix(".mo")
ENGLISH_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d and {name}: what Python fills in, so what a translation must keep.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")


def read_po(path):
    """The entries of a .po file as dicts: msgid, msgid_plural, msgstr (a list), flags.

    Only what `makemessages` writes: comments, flags, and msgid/msgid_plural/msgstr lines with
    their continuation lines. The header is the entry whose msgid is empty.
    """
    entries = []
    entry, field = None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, field, json.loads(line))
        else:
            keyword, value = line.split(" ", 1)
            field = keyword
            _append(entry, field, json.loads(value), start=True)
    for entry in entries:
        entry["msgstr"] = [entry["msgstr"][index] for index in sorted(entry["msgstr"])]
    return entries


def _append(entry, field, text, *, start=False):
    match = re.fullmatch(r"msgstr(?:\[(\d)\])?", field)
    if match:
        index = int(match[1] or 0)
        entry["msgstr"][index] = ("" if start else entry["msgstr"][index]) + text
    else:
        entry[field] = ("" if start else entry[field]) + text


def header(entries):
    (head,) = [entry for entry in entries if entry["msgid"] == ""]
    return head, dict(
        line.split(": ", 1) for line in head["msgstr"][0].splitlines() if ": " in line
    )


def messages(entries):
    return [entry for entry in entries if entry["msgid"] != ""]


# The French catalogue ---------------------------------------------------------------------------


def test_french_catalogue_has_every_message_translated_and_none_fuzzy():
    entries = read_po(FRENCH_PO)

    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in messages(entries) if "" in e["msgstr"]] == []
    plural_entries = [e for e in messages(entries) if "msgid_plural" in e]
    assert plural_entries
    assert {len(e["msgstr"]) for e in plural_entries} == {2}


def test_french_catalogue_header_names_the_project_language_and_plural_rule():
    head, fields = header(read_po(FRENCH_PO))

    assert "fuzzy" not in head["flags"]
    assert fields["Project-Id-Version"] == "Journées PTCE"
    assert fields["Language"] == "fr"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n > 1);"


def test_msgfmt_accepts_the_french_catalogue_and_counts_no_fuzzy_or_untranslated_message():
    count = len(messages(read_po(FRENCH_PO)))

    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(FRENCH_PO)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == f"{count} translated messages.\n"


def test_french_translations_keep_the_placeholders_of_their_msgid():
    mismatches = []
    for entry in messages(read_po(FRENCH_PO)):
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for index, translated in enumerate(entry["msgstr"]):
            # A singular form may say "1" in words and drop the count; no French one does.
            expected = sorted(PLACEHOLDER.findall(sources[min(index, 1)]))
            if sorted(PLACEHOLDER.findall(translated)) != expected:
                mismatches.append((entry["msgid"], translated))

    assert mismatches == []


def test_french_quotes_are_guillemets():
    quoted = [
        entry["msgstr"]
        for entry in messages(read_po(FRENCH_PO))
        if "“" in entry["msgid"] or '"' in entry["msgid"]
    ]

    assert quoted
    for msgstr in quoted:
        assert all("«" in form and "»" in form for form in msgstr), msgstr
        assert not any("“" in form or '"' in form for form in msgstr), msgstr


def test_compiled_french_catalogue_matches_the_po():
    assert FRENCH_MO.exists(), "compile the catalogues first: make messages"
    with FRENCH_MO.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for entry in messages(read_po(FRENCH_PO)):
        if "msgid_plural" in entry:
            found = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
        elif "msgctxt" in entry:
            found = [compiled.pgettext(entry["msgctxt"], entry["msgid"])]
        else:
            found = [compiled.gettext(entry["msgid"])]
        if found != entry["msgstr"]:
            stale.append(entry["msgid"])

    assert stale == [], "the .mo is older than the .po: make messages"


# The English catalogue --------------------------------------------------------------------------


def test_english_catalogue_leaves_every_message_to_its_msgid():
    entries = read_po(ENGLISH_PO)
    head, fields = header(entries)

    assert "fuzzy" not in head["flags"]
    assert fields["Language"] == "en"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in messages(entries) if set(e["msgstr"]) != {""}] == []


def test_both_catalogues_hold_the_same_messages():
    def keys(path):
        return {(e["msgid"], e.get("msgid_plural")) for e in messages(read_po(path))}

    assert keys(FRENCH_PO) == keys(ENGLISH_PO)


# gettext at run time -----------------------------------------------------------------------------


def test_gettext_gives_the_french_interface_by_default():
    with translation.override(settings.LANGUAGE_CODE):
        assert translation.gettext("Register") == "S'inscrire"
        assert translation.gettext("Log in") == "Connexion"
        assert translation.gettext("Next edition") == "Prochaine édition"
        assert translation.gettext("Bring an identity document") == (
            "Munissez-vous d'une pièce d'identité"
        )
        assert translation.gettext("Programme: %(title)s") % {"title": "2e Journée"} == (
            "Programme : 2e Journée"
        )
        assert translation.gettext("Reception agent") == "Agent d'accueil"
        assert translation.gettext("API token") == "jeton d'API"


def test_french_plural_treats_zero_and_one_as_singular():
    with translation.override("fr"):
        seats = [
            translation.ngettext("%(counter)s seat", "%(counter)s seats", n) % {"counter": n}
            for n in (0, 1, 2)
        ]

    assert seats == ["0 place", "1 place", "2 places"]


def test_english_plural_treats_zero_as_plural():
    with translation.override("en"):
        seats = [
            translation.ngettext("%(counter)s seat", "%(counter)s seats", n) % {"counter": n}
            for n in (0, 1, 2)
        ]

    assert seats == ["0 seats", "1 seat", "2 seats"]


def test_gettext_in_english_gives_the_msgid():
    with translation.override("en"):
        assert translation.gettext("Register") == "Register"
        assert translation.gettext("Log in") == "Log in"


# Pages ------------------------------------------------------------------------------------------

# Attributes read out or shown: labels, tooltips, and the title and description of shares.
ATTRIBUTES = re.compile(
    r'(?:aria-label|title|alt|placeholder)="([^"]*)"'
    r'|<meta (?:name|property)="(?:description|og:title|og:description)" content="([^"]*)"'
)
# Text marked as written in another language, such as "English" in the language menu.
OTHER_LANGUAGE = re.compile(r'<(\w+)[^>]*\slang="(?!fr")[^"]*"[^>]*>[^<]*</\1>')
WORD = re.compile(r"[A-Za-z]+")


def readable(response):
    """What a reader of the page meets: its text and the attributes read out or shown."""
    page = response.content.decode()
    shown = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", "", OTHER_LANGUAGE.sub(" ", shown))
    attributes = [value for pair in ATTRIBUTES.findall(page) for value in pair if value]
    return re.sub(r"\s+", " ", html.unescape(" ".join([text, *attributes])))


def english_interface():
    """Patterns of the English msgids whose French differs, each a whole-word regex.

    A msgid with placeholders contributes its literal stretches of two words or more (a lone
    "at" or ":" would match French text too).
    """
    patterns = {}
    for entry in messages(read_po(FRENCH_PO)):
        for msgid, translated in zip(
            [entry["msgid"], entry.get("msgid_plural")], entry["msgstr"], strict=False
        ):
            if msgid is None or msgid == translated:
                continue
            pieces = PLACEHOLDER.split(msgid)
            if len(pieces) > 1:
                pieces = [p.strip(" .,:;") for p in pieces if len(WORD.findall(p)) >= 2]
            for piece in pieces:
                patterns[piece] = re.compile(rf"(?<![\w-]){re.escape(piece)}(?![\w-])")
    return patterns


@pytest.fixture
def edition(db):
    """A published edition that uses every part of the public pages, all of it in French."""
    now = timezone.now()
    pole = OrganisationFactory(name="Pôle Exemple des Deux-Rives", website="https://pole.example")
    edition = EditionFactory(
        title="Journée Exemple",
        slug="exemple",
        summary="Une journée pour essayer la plateforme.",
        description="Des pôles, des réseaux et des collectivités.",
        venue=VenueFactory(
            name="Maison Exemple",
            accessibility="Salle de plain-pied.",
            map_url="https://carte.example/maison",
        ),
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=20),
        security_list_final_deadline=now + dt.timedelta(days=30),
        security_fields=list(SecurityField.values),
        organisers=[OrganisationFactory(name="Réseau Exemple")],
    )
    edition.partners.add(pole)
    speaker = SpeakerFactory(edition=edition, name="Camille Exemple", slug="camille-exemple")
    session = SessionFactory(
        edition=edition,
        kind=SessionKind.ROUND_TABLE,
        title="Table ronde : coopérer",
        room="Salle Exemple",
        is_illustrative=True,
    )
    session.speakers.add(speaker)
    session.organisations.add(pole)
    SessionFactory(
        edition=edition,
        kind=SessionKind.LUNCH,
        title="Déjeuner",
        start_time=dt.time(12),
        end_time=dt.time(13, 30),
    )
    _directory_entry(pole)
    return edition


def _directory_entry(organisation):
    """Make ``organisation`` a pole of the directory whose page uses every part.

    Its members meet article 9 but not the 2015 decree (the pole is not a legal person), so the
    page lists what is missing.
    """
    organisation.website = "https://deux-rives.example"
    organisation.town = "Villeurbanne"
    organisation.department_code = "69"
    organisation.legal_form = LegalForm.OTHER
    organisation.is_legal_person = False
    organisation.save()
    pole = PoleFactory(
        organisation=organisation,
        description="Un pôle pour essayer l'annuaire.",
        creation_year=2014,
        composition_declared=True,
    )
    pole.sectors.add(SectorFactory(name="Alimentation"))
    TerritoryAreaFactory(pole=pole, level="department", code="69")
    TerritoryAreaFactory(pole=pole, level="commune", code="69266")
    for name, category in [
        ("Coopérative Exemple", MemberCategory.ESS_ENTERPRISE),
        ("Société Exemple", MemberCategory.ENTERPRISE),
        ("Commune Exemple", MemberCategory.LOCAL_AUTHORITY),
    ]:
        PoleMemberFactory(
            pole=pole,
            organisation=OrganisationFactory(
                name=name, legal_form=LegalForm.ASSOCIATION, is_legal_person=True
            ),
            category=category,
            role="membre fondateur",
        )
    RecognitionFactory(pole=pole, kind="call_2015", date=dt.date(2015, 1, 20))
    composition.refresh(pole)


PAGES = {
    "home": "/",
    "edition": "/journees/exemple/",
    "programme": "/journees/exemple/programme/",
    "speaker": "/journees/exemple/intervenants/camille-exemple/",
    "login": "/connexion/",
    "site map": "/plan-du-site/",
    "directory": "/poles/",
    "pole": "/poles/pole-exemple-des-deux-rives/",
    "map": "/poles/carte/",
    "import": "/annuaire/import/",
}
# Pages for organisers only, seen here as an organiser of the edition's organising network.
ORGANISER_PAGES = {"import"}

# One French phrase each page must show, and the English one shown instead when asked.
EXPECTED = {
    "home": ("Prochaine édition", "Next edition"),
    "edition": ("S'inscrire", "Register"),
    "programme": ("Ajouter cette séquence à mon agenda", "Add this session to my calendar"),
    "speaker": ("Interventions", "Sessions"),
    "login": ("Réservé aux organisateurs", "For organisers"),
    "site map": ("Connexion des organisateurs", "Organisers' sign-in"),
    "directory": ("Annuaire des pôles (PTCE)", "Directory of the poles (PTCE)"),
    "pole": ("Vérification de la composition (article 9)", "Composition check (article 9)"),
    "map": ("Nombre de pôles", "Number of poles"),
    "import": ("Importer l'annuaire des pôles", "Import the directory of poles"),
}


def visit(client, edition, page, **headers):
    if page in ORGANISER_PAGES:
        organiser = UserFactory(username="organisatrice")
        MembershipFactory(
            user=organiser, organisation=edition.organisers.get(), role=Role.ORGANISER
        )
        log_in(client, organiser)
    return client.get(PAGES[page], **headers)


@pytest.mark.parametrize("page", PAGES)
def test_french_page_shows_no_english_interface_text(client, edition, page):
    response = visit(client, edition, page)
    text = readable(response)

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"
    assert EXPECTED[page][0] in text
    assert [piece for piece, pattern in english_interface().items() if pattern.search(text)] == []


@pytest.mark.parametrize("page", PAGES)
def test_same_page_is_english_with_accept_language_en(client, edition, page):
    response = visit(client, edition, page, HTTP_ACCEPT_LANGUAGE="en")
    text = readable(response)

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    assert EXPECTED[page][1] in text
    assert EXPECTED[page][0] not in text


def test_edition_page_reads_as_french(client, edition):
    edition.date = dt.date(2030, 9, 20)
    edition.save()

    text = readable(client.get("/journees/exemple/"))

    # readable() turns the no-break spaces of "9\u00a0h\u00a030" into spaces.
    assert "vendredi 20 septembre 2030, de 9 h 30 à 16 h 30" in text
    assert "300 places" in text
    assert "Munissez-vous d'une pièce d'identité" in text
    assert "Les inscriptions sont ouvertes jusqu'au " in text
    assert "Organisateurs et partenaires" in text


def test_programme_page_shows_french_session_kinds_and_labels(client, edition):
    text = readable(client.get("/journees/exemple/programme/"))

    assert "Programme : Journée Exemple (démonstration) · Journées PTCE" in text
    assert "Table ronde" in text
    assert "Déjeuner" in text
    assert "Salle : Salle Exemple" in text
    assert "Indicatif" in text
    assert "Intervenants" in text
    assert "Organisations participantes" in text
