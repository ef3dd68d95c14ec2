from django.conf import settings
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language

#: Open Graph wants a territory with the language.
OG_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def site(request):
    """What every page's head and footer need; no database query."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return {
        "SITE_URL": settings.SITE_URL,
        "CONTACT_EMAIL": settings.PTCE_CONTACT_EMAIL,
        # Built on SITE_URL rather than the Host header, which the client chooses.
        "canonical_url": settings.SITE_URL + escape_uri_path(request.path),
        "og_locale": OG_LOCALES.get(language, OG_LOCALES["fr"]),
        "og_locale_alternates": [locale for code, locale in OG_LOCALES.items() if code != language],
    }
