"""The article 9 check: does a pole's declared composition meet the law, and the 2015 decree?

Article 9 of the 2014 ESS law: ESS enterprises that join with other enterprises, in
connection with local authorities, research centres, higher education, training bodies or any
other person, on one territory. Décret n° 2015-431 (eligibility to a State call) adds: the pole
is a legal person with at least three legal persons as members, among them at least one ESS
enterprise, one enterprise outside the ESS and one other article-9 person.

Nothing is claimed about a pole whose composition is not declared complete: that is the
default. The decree's last condition (no earlier State support) is not assessed here.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from network.enums import OTHER_ARTICLE_9_CATEGORIES, CompositionStatus, MemberCategory


@dataclass(frozen=True)
class CompositionCheck:
    status: CompositionStatus
    #: What is missing, in plain words: for article 9 when the status is DOES_NOT_MEET, for
    #: the decree when it is MEETS_ARTICLE_9; empty otherwise.
    missing: tuple = ()


def _category_gaps(categories):
    gaps = []
    if MemberCategory.ESS_ENTERPRISE not in categories:
        gaps.append(_("an ESS enterprise"))
    if MemberCategory.ENTERPRISE not in categories:
        gaps.append(_("an enterprise outside the ESS"))
    if not categories & OTHER_ARTICLE_9_CATEGORIES:
        gaps.append(
            _(
                "another person named by article 9 (local authority, research centre, higher "
                "education, training body or other person)"
            )
        )
    return gaps


def check(pole, *, members=None, has_territory=None):
    """The :class:`CompositionCheck` of ``pole``.

    ``members`` (``PoleMember`` objects with their organisation) and ``has_territory`` may be
    given when already loaded; otherwise they are read (two queries).
    """
    if not pole.composition_declared:
        return CompositionCheck(CompositionStatus.NOT_DECLARED)
    if members is None:
        members = list(pole.members.select_related("organisation"))
    if has_territory is None:
        has_territory = pole.territory.exists()

    missing = [
        _("Among the members: %(who)s.") % {"who": who}
        for who in _category_gaps({member.category for member in members})
    ]
    if not has_territory:
        missing.append(_("A territory: no commune, intercommunality, department or region."))
    if missing:
        return CompositionCheck(CompositionStatus.DOES_NOT_MEET, tuple(missing))

    legal_members = [m for m in members if m.organisation.is_legal_person is True]
    decree_missing = []
    if pole.organisation.is_legal_person is not True:
        decree_missing.append(_("The pole itself is not known to be a legal person."))
    if len(legal_members) < 3:
        decree_missing.append(
            ngettext_lazy(
                "At least three members that are legal persons: %(count)d is known to be one.",
                "At least three members that are legal persons: %(count)d are known to be.",
                "count",
            )
            % {"count": len(legal_members)}
        )
    decree_missing += [
        _("Among the members that are legal persons: %(who)s.") % {"who": who}
        for who in _category_gaps({member.category for member in legal_members})
    ]
    if decree_missing:
        return CompositionCheck(CompositionStatus.MEETS_ARTICLE_9, tuple(decree_missing))
    return CompositionCheck(CompositionStatus.MEETS_DECREE_2015)


def refresh(pole):
    """Store ``pole``'s status after its members, territory or legal form changed.

    Side effect: one UPDATE when the status changed. Returns the :class:`CompositionCheck`.
    """
    result = check(pole)
    if pole.composition_status != result.status:
        pole.composition_status = result.status
        type(pole).objects.filter(pk=pole.pk).update(composition_status=result.status)
    return result
