"""The registration categories of the demonstration edition.

Made up for the demonstration, like the edition itself: the seed gives no categories or
quotas. 300 seats, as the 2014 invitation expected "more than 300 people"; a pole sends at
most 3 representatives, so that 100 poles can come; speakers and institutional guests come by
invitation only.
"""

from registrations.models import Category

DEMONSTRATION_CATEGORIES = [
    {
        "slug": "participant",
        "name": "Participant·e",
        "description": "Acteur ou actrice de l'économie sociale et solidaire, collectivité, "
        "chercheur ou chercheuse, partenaire : toute personne intéressée par les PTCE.",
        "is_public": True,
    },
    {
        "slug": "representant-pole",
        "name": "Représentant·e d'un pôle",
        "description": "Vous représentez un PTCE de l'annuaire : trois places au plus par pôle.",
        "is_public": True,
        "organisation_cap": 3,
    },
    {
        "slug": "intervenant",
        "name": "Intervenant·e",
        "description": "Sur invitation des organisateurs.",
        "is_public": False,
    },
    {
        "slug": "invite-institutionnel",
        "name": "Invité·e institutionnel·le",
        "description": "Sur invitation des organisateurs.",
        "is_public": False,
    },
    {
        "slug": "presse",
        "name": "Presse",
        "description": "Journalistes, sur présentation d'une carte de presse à l'entrée.",
        "is_public": True,
        "quota": 20,
    },
]


def add_demonstration_categories(edition):
    """Create the categories of ``DEMONSTRATION_CATEGORIES`` that ``edition`` lacks.

    Existing categories are left as they are (an organiser may have changed them). Returns
    the categories created.
    """
    existing = set(edition.categories.values_list("slug", flat=True))
    created = []
    for position, fields in enumerate(DEMONSTRATION_CATEGORIES):
        if fields["slug"] in existing:
            continue
        category = Category(edition=edition, position=position, **fields)
        category.full_clean()
        category.save()
        created.append(category)
    return created
