from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from events.models import Edition, Speaker


class StaticSitemap(Sitemap):
    def items(self):
        return ["home", "privacy", "accessibility"]

    def location(self, item):
        return reverse(item)


class EditionSitemap(Sitemap):
    def items(self):
        return Edition.objects.public().order_by("pk")

    def lastmod(self, edition):
        return edition.updated_at


class ProgrammeSitemap(EditionSitemap):
    def location(self, edition):
        return reverse("events:programme", kwargs={"slug": edition.slug})


class SpeakerSitemap(Sitemap):
    def items(self):
        return (
            Speaker.objects.filter(edition__in=Edition.objects.public())
            .select_related("edition")
            .order_by("pk")
        )


SITEMAPS = {
    "pages": StaticSitemap,
    "editions": EditionSitemap,
    "programmes": ProgrammeSitemap,
    "speakers": SpeakerSitemap,
}
