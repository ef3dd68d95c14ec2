import datetime as dt
import itertools

import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.enums import Role
from accounts.models import Membership, User
from admission import checkin
from events.enums import EditionStatus, SessionKind
from events.models import Edition, Session, Speaker, Venue
from network.enums import OrganisationKind
from network.models import Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Pôle Exemple {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = OrganisationKind.POLE
    is_fictional = True


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Salle Exemple {n}")
    street_address = "1 rue de l'Exemple"
    postal_code = "00000"
    city = "Ville-Exemple"
    public_transport = "Bus : ligne Exemple"
    owner = factory.SubFactory(OrganisationFactory)
    is_fictional = True


def _in_days(days):
    return timezone.localdate() + dt.timedelta(days=days)


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Journée Exemple {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = "Une journée d'exemple pour les tests."
    date = factory.LazyFunction(lambda: _in_days(60))
    start_time = dt.time(9, 30)
    end_time = dt.time(16, 30)
    venue = factory.SubFactory(VenueFactory)
    capacity = 300
    status = EditionStatus.PUBLISHED
    is_demonstration = True

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create:
            self.organisers.set(extracted or [OrganisationFactory()])


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Camille Exemple {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    role = "Coordinatrice"
    affiliation = "Pôle Exemple des Deux-Rives"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    edition = factory.SubFactory(EditionFactory)
    start_time = dt.time(10, 0)
    end_time = dt.time(11, 0)
    kind = SessionKind.DEBATE
    title = factory.Sequence(lambda n: f"Débat exemple {n}")


class WorkshopFactory(SessionFactory):
    start_time = dt.time(14, 0)
    end_time = dt.time(15, 30)
    kind = SessionKind.WORKSHOP
    title = factory.Sequence(lambda n: f"Atelier exemple {n}")
    room = factory.Sequence(lambda n: f"Salle {n}")
    is_workshop = True
    capacity = 30


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ORGANISER


# Network: poles, their members and territory (appended for issue 3).


class PoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "network.Pole"

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.POLE)
    geo_vintage = 2026


class PoleMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "network.PoleMember"

    pole = factory.SubFactory(PoleFactory)
    organisation = factory.SubFactory(
        OrganisationFactory,
        name=factory.Sequence(lambda n: f"Membre Exemple {n}"),
        kind=OrganisationKind.ESS_ENTERPRISE,
    )
    category = "ess_enterprise"


class TerritoryAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "network.TerritoryArea"

    pole = factory.SubFactory(PoleFactory)
    level = "department"
    code = "69"


# Network: sectors and recognitions (appended for issue 3, API and demo).


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "network.Sector"

    name = factory.Sequence(lambda n: f"Secteur exemple {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class RecognitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "network.Recognition"

    pole = factory.SubFactory(PoleFactory)
    kind = "call_2023"
    date = dt.date(2023, 10, 17)


# Registrations: categories of seats (appended for issue 4, seat allocation).


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Category"

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Catégorie exemple {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    is_public = True


# Registrations: bookings, registrations and invitations (appended for issue 4, the public
# form). A RegistrationFactory row is written as it is, without capacity's checks: for
# setting a scene, not for testing seat allocation.


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Booking"

    edition = factory.SubFactory(EditionFactory)
    email = factory.Sequence(lambda n: f"reservation{n}@example.org")


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Registration"

    edition = factory.SubFactory(EditionFactory)
    category = factory.SubFactory(CategoryFactory, edition=factory.SelfAttribute("..edition"))
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Exemple {n}")
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    status = "confirmed"
    confirmed_at = factory.LazyFunction(timezone.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Invitation"

    edition = factory.SubFactory(EditionFactory)
    category = factory.SubFactory(
        CategoryFactory, edition=factory.SelfAttribute("..edition"), is_public=False
    )
    kind = "personal"
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")


# Admission: entrances of the venue (appended for issue 5, check-in on the server).


class EntranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "admission.Entrance"

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Entrée {n}")
    slug = factory.Sequence(lambda n: f"entree-{n}")


class CharterVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "charter.CharterVersion"
        django_get_or_create = ("slug",)

    slug = "2021"
    title = "Charte de la démarche collective PTCE (2021)"
    year = 2021
    text = "Texte provisoire de démonstration."
    text_is_placeholder = True
    is_open = True
    recognition_kind = "charter_2021"


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "charter.Signature"

    version = factory.SubFactory(CharterVersionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    representative_name = "Camille Exemple"
    representative_role = "Coordinatrice"
    channel = "online"
    signed_at = factory.LazyFunction(timezone.now)
    receipt_code = factory.Sequence(lambda n: f"{n:016d}")


_nonces = itertools.count()


def admit_at_the_door(registration, entrance, *, id_checked=True):
    """Admit ``registration`` at ``entrance`` an hour into its day (check-in opens on the day
    itself), from no device in particular; returns the verdict (admission.checkin.admit)."""
    edition = registration.edition
    return checkin.admit(
        edition,
        registration=registration,
        entrance=entrance,
        agent=None,
        nonce=f"nonce-factory-{next(_nonces)}",
        id_checked=id_checked,
        now=edition.starts_at + dt.timedelta(hours=1),
    )
