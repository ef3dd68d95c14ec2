"""Text for search and sorting."""

import unicodedata

#: Letters that Unicode does not decompose, and the typographic apostrophe.
_FOLDED = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "\u2019": "'", "\u02bc": "'"})


def fold(text):
    """Text for accent- and case-insensitive search: "Pôle Écotone" → "pole ecotone"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.translate(_FOLDED).split())
