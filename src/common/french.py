"""French as it is written: "de" and "à" before a name.

French elides "de" before a vowel ("l'inscription d'Élodie") and contracts it with an article
("au nom du Pôle Exemple"). A catalogue cannot write that before a name it does not know, so a
sentence that joins a preposition to a name takes the whole phrase from the code: the msgid
says "the registration %(of_name)s" and the code passes ``of_name=of(name)``, which is "of
Élodie" in English and "d'Élodie" in French. Part of the shared kernel: imports no app.

The rules, right where they are sure and plain where they are not ("de" and the name as
written is always acceptable French before a proper name):

Elision: "de" becomes "d'" before a word whose first written letter is a vowel sound:

- a vowel, accented or not, in either case: A, E, I, O, U and É, È, Ê, Î, Ô, Œ, Æ…;
- Y followed by a consonant ("d'Yves", "d'Yvelines"), but not Y followed by a vowel, which is
  a consonant sound ("de Yann", "de Yasmine");
- H only when the word is known to begin with a mute h (:data:`MUTE_H`: "d'Hélène",
  "d'Habitat et Humanisme"); any other H counts as aspirated ("de Hautes-Alpes", "de Hugues");
- never a digit, a sign, a quotation mark or a letter of another script.

"à" never elides.

Articles, only for names that may begin with one (organisations, venues, places, titles of
days: ``article=True``), never for a person's name ("de Le Goff", "de La Fontaine"):

- a leading "Le" or "Les" contracts: "Le Phares" → "du Phares", "au Phares"; "Les Amis" →
  "des Amis", "aux Amis"; "La" and "L'" stay as written ("de La Coursive", "à L'Île-Saint-Denis"),
  as French writes them before a title;
- a first word among :data:`NOUNS`, common nouns that names begin with and that take an
  article in running text, gets it: "du Pôle Exemple", "au Réseau", "de la Coopérative", "à la
  Maison", "de l'Atelier", "à l'Espace", "des Journées", "aux Ateliers";
- any other name: "de"/"à" and the name as written ("de Sud Aquitain", "à Domb'Innov").
"""

import unicodedata

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from common.text import fold

#: Words that begin with a mute h (folded): "l'habitat", "d'Hélène". Any other h is aspirated.
_MUTE_H_WORDS = (
    "habitat habitation habitants habiter harmonie hébergement héritage hippodrome histoire "
    "hiver homme hommes hôpital hospitalité hôtel horizon horizons humanité humanitaire "
    "humain humaine humains hygiène hérault hérouville "
    "hadrien hector hélène héloïse henri hermine hervé hilaire hippolyte honoré horace "
    "hortense hubert hugo"
)
MUTE_H = frozenset(fold(word) for word in _MUTE_H_WORDS.split())

_MASCULINE, _FEMININE, _PLURAL = "m", "f", "p"

#: Common nouns that names in the directory and titles of days begin with, and that take an
#: article in running text, with their gender or number (folded, so "Pole" matches "Pôle").
NOUNS = {
    fold(word): kind
    for kind, words in (
        (
            _MASCULINE,
            "pôle réseau collectif groupement conseil comité mouvement labo laboratoire pays "
            "centre cluster syndicat parc campus tiers-lieu village territoire groupe "
            "consortium département forum club cercle bureau ministère colloque séminaire "
            "congrès salon festival jardin pacte projet domaine moulin chantier café théâtre "
            "musée palais château "
            "atelier espace incubateur institut office observatoire accélérateur archipel "
            "écopôle établissement entrepôt hôtel hôpital habitat auditorium",
        ),
        (
            _FEMININE,
            "coopérative fédération maison communauté chambre fabrique ferme région métropole "
            "mutuelle plateforme société fondation compagnie coordination commune ville "
            "manufacture recyclerie ressourcerie conserverie cité journée rencontre salle halle "
            "caisse banque direction délégation préfecture mairie grange friche semaine "
            "convention conférence biennale fête "
            "association agence alliance union université école assemblée amicale",
        ),
        (
            _PLURAL,
            "journées rencontres ateliers jardins amis compagnons assises états halles "
            "entreprises cités fermes",
        ),
    )
    for word in words.split()
}

#: The article of a word, then what "de" and "à" become before it.
_ARTICLES = {
    _MASCULINE: ("du ", "au "),
    _FEMININE: ("de la ", "à la "),
    _PLURAL: ("des ", "aux "),
    "vowel": ("de l'", "à l'"),
}
#: A name's own leading article that contracts with the preposition ("Le Phares": "du Phares").
_CONTRACTED = {"le": _MASCULINE, "les": _PLURAL}
_VOWELS = frozenset("aeiouœæ")


def _base(letter):
    """``letter`` without its accent, in lower case: "É" → "e"; "" for no letter."""
    decomposed = unicodedata.normalize("NFD", letter.casefold())
    return decomposed[:1]


def starts_with_vowel_sound(word):
    """Whether "de" elides before ``word``, by the rules of the module's docstring."""
    word = (word or "").strip()
    first = _base(word[:1])
    if first in _VOWELS:
        return True
    if first == "y":
        following = _base(word[1:2])
        return following.isalpha() and following.isascii() and following not in _VOWELS
    if first == "h":
        return fold(word.split()[0]) in MUTE_H
    return False


def _split_article(name):
    """(the kind of article the name calls for or None, the name without a contracted one)."""
    words = name.split(maxsplit=1)
    if not words:
        return None, name
    first = fold(words[0])
    if first in _CONTRACTED and len(words) == 2:
        return _CONTRACTED[first], words[1]
    kind = NOUNS.get(first)
    if kind is not None and kind != _PLURAL and starts_with_vowel_sound(name):
        kind = "vowel"
    return kind, name


def _join(index, plain, name, article):
    name = " ".join(str(name or "").split())
    if article:
        kind, rest = _split_article(name)
        if kind is not None:
            return _ARTICLES[kind][index] + rest
    if not name:
        return plain
    if index == 0 and starts_with_vowel_sound(name):
        return f"d'{name}"
    return f"{plain} {name}"


def de(name, *, article=False):
    """The preposition "de" and ``name``, elided or contracted: "d'Élodie", "de Marie"; with
    ``article`` (an organisation, a venue, a place, a day), "du Pôle Exemple", "de la
    Coopérative", "des Journées". An empty name gives "de" alone."""
    return _join(0, "de", name, article)


def a(name, *, article=False):
    """The preposition "à" and ``name``: "à Élodie"; with ``article``, "au Pôle Exemple", "à la
    Maison", "à l'Atelier", "aux Ateliers". An empty name gives "à" alone."""
    return _join(1, "à", name, article)


def is_active():
    """Whether the active language is French (the site's language when none is active)."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0] == "fr"


def of(name, *, article=False):
    """The word "of" and ``name`` in the active language: :func:`de` in French, "of Élodie"
    otherwise.

    For a sentence whose French puts "de" before a name: pass it as ``of_name``."""
    if is_active():
        return de(name, article=article)
    return pgettext("preposition before a name", "of %(name)s") % {"name": name or ""}


def at(name, *, article=False):
    """The word "at" and ``name`` in the active language: :func:`a` in French, "at Élodie"
    otherwise."""
    if is_active():
        return a(name, article=article)
    return pgettext("preposition before a name", "at %(name)s") % {"name": name or ""}
