"""Forms of the organiser pages: the list's search and filters, adding a person, invitations.

They check what is typed; the seat rules stay in :mod:`registrations.capacity`, whose
refusals the views put next to the field they concern (:data:`REFUSAL_FIELDS`).
"""

import datetime as dt
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from common.addresses import require_dotted_domain
from common.forms import FilterForm
from common.names import NameField
from events.enums import SecurityField
from network.enums import OrganisationKind
from network.models import Organisation
from registrations.enums import InvitationKind, Language, RegistrationStatus, Source
from registrations.forms import DetailsForm
from registrations.models import Invitation, Registration

#: Longest search: more words than this are a mistake.
MAX_SEARCH_LENGTH = 100

#: Where a refusal of capacity.register shows on the "add a person" form.
REFUSAL_FIELDS = {
    "already_registered": "email",
    "organisation_cap_reached": "organisation",
}
#: Every other refusal (full, closed, invitation-only…) is about the seat: the category.
REFUSAL_DEFAULT_FIELD = "category"


def one_line(value):
    """Refuse line breaks and other control characters in a one-line text (a name)."""
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise ValidationError(
            _("Line breaks and control characters are not allowed."), code="control_character"
        )


def _model_field(name, **overrides):
    """A form field made from Registration's field ``name`` (label, length, help)."""
    field = Registration._meta.get_field(name).formfield(**overrides)
    if isinstance(field, forms.EmailField):
        field.validators.append(require_dotted_domain)
    elif isinstance(field, forms.CharField):
        field.validators.append(one_line)
    return field


def _name_field(name):
    """A name as on the ID (Registration's field ``name``): the rule of :mod:`common.names`."""
    model_field = Registration._meta.get_field(name)
    return NameField(label=capfirst(model_field.verbose_name), help_text=model_field.help_text)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        if category.is_public:
            return category.name
        return _("%(name)s (by invitation)") % {"name": category.name}


class RegistrationFilterForm(FilterForm):
    """Search and filters of the organiser's list. A value not understood is shown as an
    error and ignored (the list is then shown unfiltered by it)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Names, email or organisation."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *RegistrationStatus.choices],
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any category"))] + [
            (category.slug, category.name) for category in categories
        ]


def search(registrations, words):
    """``registrations`` whose names, badge name, email or organisation hold every word."""
    for word in words.split():
        registrations = registrations.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(badge_name__icontains=word)
            | Q(email__icontains=word)
            | Q(organisation_name__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    return registrations


def matching(edition, filters):
    """The registrations of ``edition`` that the organiser list's valid ``filters`` keep
    (:meth:`RegistrationFilterForm.filters`: ``q``, ``status``, ``category``), in the list's
    order: the registrations list and its export show the same people."""
    registrations = Registration.objects.filter(edition=edition)
    if filters.get("q"):
        registrations = search(registrations, filters["q"])
    if filters.get("status"):
        registrations = registrations.filter(status=filters["status"])
    if filters.get("category"):
        registrations = registrations.filter(category__slug=filters["category"])
    return registrations.order_by("created_at", "pk")


def directory_organisations():
    """Poles and networks an attendee may come from, for the organisation field's list."""
    return Organisation.objects.filter(
        kind__in=[OrganisationKind.POLE, OrganisationKind.NETWORK]
    ).order_by("name")


class AddPersonForm(forms.Form):
    """An organiser adds one person: any category, and the venue's fields the edition asks."""

    category = CategoryChoiceField(label=_("Category"), queryset=None, empty_label=None)
    first_name = _name_field("first_name")
    last_name = _name_field("last_name")
    email = _model_field(
        "email",
        required=True,
        help_text=_("The confirmation and the ticket are sent there."),
    )
    badge_name = _model_field("badge_name")
    organisation = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=Registration._meta.get_field("organisation_name").max_length,
        validators=[one_line],
        help_text=_("A pole or network of the directory (its seat cap then applies), or any name."),
    )
    job_title = _model_field("job_title")
    language = forms.ChoiceField(
        label=_("Language of the emails"), choices=Language.choices, initial=Language.FRENCH
    )
    # Its own window (clean_birth_date), narrower than any date's: one message, the right one.
    birth_date = _model_field(
        "birth_date", form_class=forms.DateField, widget=forms.DateInput(attrs={"type": "date"})
    )
    birth_place = _model_field("birth_place")
    nationality = _model_field("nationality")
    employer = _model_field("employer")
    walk_in = forms.BooleanField(
        label=_("At the desk, on the day (walk-in)"),
        required=False,
        help_text=_(
            "The person is flagged in the security list: the venue's security did not have "
            "this name before."
        ),
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.fields["category"].queryset = edition.categories.all()
        for name in SecurityField.values:
            if edition.asks_for(name):
                self.fields[name].required = True
            else:
                del self.fields[name]

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date and not (dt.date(1900, 1, 1) <= birth_date < timezone.localdate()):
            raise ValidationError(
                _("Enter a date of birth in the past, after 1900."), code="birth_date"
            )
        return birth_date

    def clean_organisation(self):
        """The directory's pole or network of that name (case aside), else the typed name."""
        name = self.cleaned_data["organisation"]
        self.directory_organisation = None
        if name:
            self.directory_organisation = (
                directory_organisations().filter(name__iexact=name).first()
            )
        return name

    def attendee(self):
        """The keyword arguments of capacity.register for the person described."""
        data = dict(self.cleaned_data)
        organisation = self.directory_organisation
        data.pop("organisation")
        walk_in = data.pop("walk_in", False)
        return {
            **data,
            "source": Source.WALK_IN if walk_in else Source.ORGANISER,
            "organisation": organisation,
            "organisation_name": "" if organisation else self.cleaned_data["organisation"],
        }


class InvitationForm(forms.ModelForm):
    """A personal invitation: one guest, one email, one link."""

    category = CategoryChoiceField(label=_("Category"), queryset=None, empty_label=None)

    class Meta:
        model = Invitation
        fields = ["email", "guest_name", "category", "language", "holds_seat_until", "note"]
        widgets = {
            "holds_seat_until": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.fields["email"].required = True
        self.fields["email"].validators.append(require_dotted_domain)
        self.fields["category"].queryset = edition.categories.all()
        self.fields["guest_name"].validators.append(one_line)
        self.fields["note"].validators.append(one_line)
        self.fields["holds_seat_until"].help_text = _(
            "Optional: a seat is kept for the guest until then (Paris time). Leave empty to "
            "keep none: the guest then gets a seat if one is free when they register."
        )

    def clean_email(self):
        email = self.cleaned_data["email"]
        taken = (
            Invitation.objects.usable()
            .filter(edition=self.edition, kind=InvitationKind.PERSONAL, email__iexact=email)
            .exists()
        )
        if taken:
            raise ValidationError(
                _("This email already has an invitation to this day."), code="invited"
            )
        return email

    def clean_holds_seat_until(self):
        until = self.cleaned_data["holds_seat_until"]
        if until is not None:
            if until <= timezone.now():
                raise ValidationError(_("Choose a moment in the future."), code="past")
            if until > self.edition.registration_deadline:
                raise ValidationError(
                    _("A seat can be held until registration closes at the latest."),
                    code="after_deadline",
                )
        return until

    def save(self, commit=True):
        self.instance.edition = self.edition
        self.instance.kind = InvitationKind.PERSONAL
        return super().save(commit=commit)


class GroupCodeForm(forms.ModelForm):
    """A group code: typed in the public form by up to ``max_uses`` people."""

    category = CategoryChoiceField(label=_("Category"), queryset=None, empty_label=None)

    class Meta:
        model = Invitation
        fields = ["category", "max_uses", "note"]

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.fields["category"].queryset = edition.categories.all()
        self.fields["max_uses"].widget.attrs["min"] = 1
        self.fields["max_uses"].validators.append(_min_one)
        self.fields["note"].validators.append(one_line)

    def save(self, commit=True):
        self.instance.edition = self.edition
        self.instance.kind = InvitationKind.GROUP
        return super().save(commit=commit)


def _min_one(value):
    if value is not None and value < 1:
        raise ValidationError(_("Give at least 1, or leave empty for no limit."), code="min")


class EditRegistrationForm(DetailsForm):
    """An organiser corrects a registration: the attendee's details, and the address and
    language of the emails. After the names are locked they stay editable here, with a
    reason that goes to the audit log (``attendees.update_details``)."""

    reason = forms.CharField(
        label=_("Why the names change after the deadline"),
        required=False,
        max_length=500,
        validators=[one_line],
        help_text=_(
            "Required to change the names as on the ID once the list was sent to the venue's "
            "security; kept in the audit log. Tell the venue about the change too."
        ),
    )

    def __init__(self, *args, registration, names_locked, **kwargs):
        # The names stay editable (disabled fields would ignore what is posted): the reason
        # is what the lock asks of an organiser.
        super().__init__(*args, registration=registration, names_locked=False, **kwargs)
        self.registration = registration
        self.names_past_deadline = names_locked
        self.fields["email"] = _model_field(
            "email",
            required=not registration.booking_id,
            initial=registration.email,
            help_text=_("The emails and the ticket are sent there.")
            if not registration.booking_id
            else _("Empty: the emails go to the person who booked (%(email)s).")
            % {"email": registration.booking.email},
        )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the emails"),
            choices=Language.choices,
            initial=registration.language,
        )
        if not names_locked:
            del self.fields["reason"]
        self.order_fields(["first_name", "last_name", "reason", "email", "language"])

    def clean(self):
        cleaned = super().clean()
        if self.names_past_deadline:
            renamed = any(
                name in cleaned and cleaned[name] != getattr(self.registration, name)
                for name in self.NAMES
            )
            if renamed and not cleaned.get("reason", "").strip():
                self.add_error(
                    "reason", _("Say why the names change: the venue has the list already.")
                )
        return cleaned

    def details(self):
        return {
            **super().details(),
            "email": self.cleaned_data["email"],
            "language": self.cleaned_data["language"],
        }


class ChangeCategoryForm(forms.Form):
    """An organiser moves a registration to another category (through the limits)."""

    category = CategoryChoiceField(label=_("New category"), queryset=None, empty_label=None)

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = registration.edition.categories.exclude(
            pk=registration.category_id
        )
