from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from charter.models import CharterVersion
from events.enums import PUBLIC_STATUSES
from events.models import Edition, Speaker
from network.models import Pole


class SiteSitemap(Sitemap):
    """Absolute addresses built on SITE_URL, like the canonical links of the pages."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class StaticSitemap(SiteSitemap):
    def items(self):
        return [
            "events:home",
            "network:directory",
            "network:map",
            "charter:index",
            "charter:signatories",
            "charter:verify",
            "site_map",
            "privacy",
            "accessibility",
        ]

    def location(self, item):
        return reverse(item)


class EditionSitemap(SiteSitemap):
    def items(self):
        return Edition.objects.public().order_by("pk")

    def lastmod(self, edition):
        return edition.updated_at


class ProgrammeSitemap(EditionSitemap):
    def items(self):
        # An edition without sessions has an empty programme page: not worth listing.
        return super().items().filter(sessions__isnull=False).distinct()

    def location(self, edition):
        return reverse("events:programme", kwargs={"slug": edition.slug})


class SpeakerSitemap(SiteSitemap):
    def items(self):
        return (
            Speaker.objects.filter(edition__status__in=PUBLIC_STATUSES)
            .select_related("edition")
            .order_by("pk")
        )

    def lastmod(self, speaker):
        return speaker.edition.updated_at


class PoleSitemap(SiteSitemap):
    """The pages of the poles of the directory (all public)."""

    def items(self):
        return Pole.objects.select_related("organisation").order_by("pk")

    def lastmod(self, pole):
        return pole.updated_at


class CharterVersionSitemap(SiteSitemap):
    """The text of each version of the charter."""

    def items(self):
        return CharterVersion.objects.order_by("year", "pk")

    def location(self, version):
        return reverse("charter:version", kwargs={"version": version.slug})

    def lastmod(self, version):
        return version.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "editions": EditionSitemap,
    "programmes": ProgrammeSitemap,
    "speakers": SpeakerSitemap,
    "poles": PoleSitemap,
    "charter": CharterVersionSitemap,
}
