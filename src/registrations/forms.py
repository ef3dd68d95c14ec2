"""The public forms of registration: the group form (a booker and colleagues), the guest's
form of a personal invitation, the manage link's details form and the lost-link form.

They only validate and shape what people typed; the views hand the result to
:mod:`registrations.capacity` and :mod:`registrations.attendees`.
"""

import datetime as dt
import hashlib
import unicodedata
import uuid
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import TOTAL_FORM_COUNT, ManagementForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.addresses import require_dotted_domain
from common.names import NameField
from events.enums import SECURITY_FIELD_REASONS, SecurityField
from network.models import Organisation
from registrations import attendees, workshop_pages
from registrations.enums import Diet

#: Most people one form registers: the booker and nine colleagues.
MAX_PEOPLE = 10
OLDEST_BIRTH_DATE = dt.date(1900, 1, 1)


def no_control_characters(value):
    """One-line text: no line breaks, tabs or other invisible control characters."""
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise ValidationError(
            _("Remove the line breaks and other invisible characters."), code="control"
        )


def no_control_characters_but_lines(value):
    """Multi-line text: line breaks are fine, other control characters are not."""
    if any(unicodedata.category(c) == "Cc" and c not in "\r\n\t" for c in value):
        raise ValidationError(_("Remove the invisible control characters."), code="control")


def _line(label, max_length, *, required=False, help_text="", autocomplete=None):
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        validators=[no_control_characters],
        widget=forms.TextInput(attrs=attrs),
    )


def _name(label, *, autocomplete, help_text=""):
    """Names as on the ID: the one rule of :mod:`common.names`."""
    return NameField(
        label=label,
        required=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


def validate_birth_date(value):
    if value >= timezone.localdate():
        raise ValidationError(_("A date of birth must be in the past."), code="future")
    if value < OLDEST_BIRTH_DATE:
        raise ValidationError(_("Give a date of birth after 1900."), code="too_old")


class AttendeeFields(forms.Form):
    """What every attendee tells about themselves; the venue fields only when the edition
    asks for them. ``colleague``: filled in by someone else (no browser autofill)."""

    #: Fields given to ``capacity.register`` / ``attendees.update_details`` as they are.
    DETAILS = (
        "first_name",
        "last_name",
        "badge_name",
        "job_title",
        "accessibility_needs",
        "diet",
        "dietary_notes",
        "birth_date",
        "birth_place",
        "nationality",
        "employer",
        "consent_public_list",
        "consent_photos",
        "consent_news",
    )
    NAMES = ("first_name", "last_name")
    CONSENTS = ("consent_public_list", "consent_photos", "consent_news")

    def __init__(self, *args, edition, colleague=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        own = not colleague
        self.fields["first_name"] = _name(
            _("First name(s), as on the ID"),
            autocomplete="given-name" if own else "off",
            help_text=_(
                "Exactly as printed on the identity document: the venue's security checks it "
                "against the list of expected people."
            ),
        )
        self.fields["last_name"] = _name(
            _("Last name, as on the ID"),
            autocomplete="family-name" if own else "off",
        )
        self.fields["badge_name"] = _line(
            _("Name on the badge (optional)"),
            100,
            autocomplete="nickname" if own else "off",
            help_text=_("Only if it differs from the names as on the ID, e.g. a usual name."),
        )
        self.fields["job_title"] = _line(
            _("Role (optional)"),
            150,
            autocomplete="organization-title" if own else "off",
            help_text=_("Your job or role in your organisation."),
        )
        self.fields["accessibility_needs"] = forms.CharField(
            label=_("Accessibility needs (optional)"),
            max_length=1000,
            required=False,
            validators=[no_control_characters_but_lines],
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("So that we can welcome you well: access, hearing loop, assistance…"),
        )
        self.fields["diet"] = forms.ChoiceField(
            label=_("Lunch"), choices=Diet.choices, initial=Diet.STANDARD
        )
        self.fields["dietary_notes"] = _line(
            _("Dietary details (optional)"),
            200,
            help_text=_("Allergies, or which diet when you chose “Other”."),
        )
        if edition.asks_for(SecurityField.BIRTH_DATE):
            self.fields["birth_date"] = forms.DateField(
                label=_("Date of birth"),
                validators=[validate_birth_date],
                widget=forms.DateInput(
                    format="%Y-%m-%d",
                    attrs={"type": "date", "autocomplete": "bday" if own else "off"},
                ),
                help_text=SECURITY_FIELD_REASONS[SecurityField.BIRTH_DATE],
            )
        for field, max_length in (("birth_place", 150), ("nationality", 100), ("employer", 200)):
            if edition.asks_for(field):
                self.fields[field] = _line(
                    SecurityField(field).label,
                    max_length,
                    required=True,
                    help_text=SECURITY_FIELD_REASONS[field],
                )
        self.fields["consent_public_list"] = forms.BooleanField(
            label=_("Appear in the public list of participants (name and organisation)"),
            required=False,
        )
        self.fields["consent_photos"] = forms.BooleanField(
            label=_("Agree to be photographed or filmed during the day"), required=False
        )
        self.fields["consent_news"] = forms.BooleanField(
            label=_("Receive news from the organisers"), required=False
        )

    def clean(self):
        data = super().clean()
        if data.get("diet") == Diet.OTHER and not data.get("dietary_notes"):
            self.add_error("dietary_notes", _("Say which diet you follow."))
        return data

    def details(self):
        """The cleaned fields, as ``capacity.register`` and ``update_details`` take them."""
        # A venue field the edition does not ask for is no field here: it is never set.
        return {name: self.cleaned_data[name] for name in self.DETAILS if name in self.fields}

    @property
    def venue_fields(self):
        return [self[name] for name in SecurityField.values if name in self.fields]

    @property
    def consent_fields(self):
        return [self[name] for name in self.CONSENTS]


class PersonForm(AttendeeFields):
    """One person of the group form (``index`` 0 is the booker) or of an invitation."""

    field_order = (
        "first_name",
        "last_name",
        "badge_name",
        "email",
        "job_title",
        "organisation",
        "category",
    )

    def __init__(
        self,
        *args,
        index,
        categories,
        category_required=True,
        with_category=True,
        workshop_slots=(),
        **kwargs,
    ):
        super().__init__(*args, colleague=index > 0, **kwargs)
        self.index = index
        self.categories = categories
        self.workshop_slots = workshop_slots
        #: The code of capacity's refusal shown on this person, if any.
        self.refusal = None
        if index == 0:
            self.fields["email"] = forms.EmailField(
                label=_("Email"),
                max_length=254,
                validators=[require_dotted_domain],
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                help_text=_("Your ticket and your link to change or cancel are sent there."),
            )
            self.fields["organisation"] = _line(
                _("Organisation"),
                200,
                required=True,
                autocomplete="organization",
                help_text=_("Choose your pole or network in the list, or type its name."),
            )
        else:
            self.fields["email"] = forms.EmailField(
                label=_("Email (optional)"),
                max_length=254,
                validators=[require_dotted_domain],
                required=False,
                widget=forms.EmailInput(attrs={"autocomplete": "off"}),
                help_text=_("Their own ticket is sent there too. Without it, only you receive it."),
            )
            self.fields["organisation"] = _line(
                _("Organisation (optional)"),
                200,
                autocomplete="off",
                help_text=_("Left empty: the organisation of person 1."),
            )
        self.fields["organisation"].widget.attrs["list"] = "organisations"
        if with_category:
            self.fields["category"] = forms.ChoiceField(
                label=_("Category"),
                choices=[(c.slug, c.name) for c in categories],
                required=category_required,
                error_messages={
                    "invalid_choice": _("Choose one of the categories shown."),
                    "required": _("Choose a category."),
                },
            )
        for slot, options in workshop_slots:
            self.fields[workshop_field(slot)] = forms.ChoiceField(
                label=slot_label(slot),
                choices=[("", _("No workshop"))]
                + [(str(option.session.pk), option.session.title) for option in options],
                required=False,
                initial="",
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the workshops shown.")},
            )
        self.order_fields(self.field_order)

    @property
    def number(self):
        return self.index + 1

    @property
    def fieldset_id(self):
        return f"person-{self.index}"

    @property
    def category_options(self):
        """(input id, category, checked) for the category's radio buttons."""
        field = self["category"]
        current = field.value()
        return [
            (f"{field.auto_id}_{n}", category, category.slug == current)
            for n, category in enumerate(self.categories)
        ]

    def first_category_id(self):
        return f"{self['category'].auto_id}_0" if self.categories else self.fieldset_id

    def anchor(self, name):
        """Where the error summary leads for the field ``name``: a group's first choice."""
        if name == "category":
            return self.first_category_id()
        if name.startswith(WORKSHOP_PREFIX):
            return f"{self[name].auto_id}_0"
        return self[name].auto_id

    @property
    def workshop_fields(self):
        """``(field, [(input id, Option, checked)])`` per slot, for the radio buttons."""
        shown = []
        for slot, options in self.workshop_slots:
            field = self[workshop_field(slot)]
            current = field.value() or ""
            shown.append(
                (
                    field,
                    [
                        (f"{field.auto_id}_{n}", option, str(option.session.pk) == str(current))
                        for n, option in enumerate(options, start=1)
                    ],
                )
            )
        return shown

    def chosen_workshops(self):
        """The workshops chosen, one per slot at most (``capacity.register_group``'s
        ``workshops``)."""
        chosen = []
        for slot, options in self.workshop_slots:
            value = self.cleaned_data.get(workshop_field(slot))
            chosen += [o.session for o in options if value and str(o.session.pk) == value]
        return chosen

    def workshop_field_of(self, session):
        """The name of the field of the slot that holds ``session``, or None."""
        for slot, _options in self.workshop_slots:
            if session is not None and session in slot:
                return workshop_field(slot)
        return None


#: The start of the names of the workshop fields: one per slot, ``workshop_<slot key>``.
WORKSHOP_PREFIX = "workshop_"


def workshop_field(slot):
    return f"{WORKSHOP_PREFIX}{slot.key}"


def slot_label(slot):
    """The slot's legend, "Workshops from 14:00 to 15:30", in the request's language."""
    return _("Workshops from %(start)s to %(end)s") % {
        "start": formats.time_format(slot.start_time),
        "end": formats.time_format(slot.end_time),
    }


class BookingForm(forms.Form):
    """What the group form has once: its one-time key, the code, the honeypot."""

    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    code = _line(
        _("Invitation or group code (optional)"),
        64,
        autocomplete="off",
        help_text=_(
            "A code you received opens a category by invitation: everybody in this form "
            "then registers in that category."
        ),
    )
    # The honeypot: hidden from people (CSS) and skipped by the keyboard; bots fill it in.
    website = forms.CharField(
        label=pgettext_lazy("honeypot field", "Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class PeopleCount(ManagementForm):
    """The management form of :class:`PeopleFormSet`: the one count it needs, ``people``.

    Every person is new (no ``INITIAL_FORMS``) and the limits are the server's, not posted
    (no ``MIN_NUM_FORMS``/``MAX_NUM_FORMS``).
    """

    INITIAL_FORMS = None
    MIN_NUM_FORMS = None
    MAX_NUM_FORMS = None

    def __init__(self, *args, limits, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits

    def add_prefix(self, field_name):
        # The name the count always had: a form opened before an upgrade still sends it.
        return "people"

    def clean(self):
        data = super().clean()
        # A count out of bounds is kept within them, as it always was: over the cap, the
        # first people are registered (Django would refuse the whole form); a count that
        # cannot be read, 0 for Django, still shows the booker, next to the formset's error.
        low, high = self.limits
        data[TOTAL_FORM_COUNT] = min(max(data[TOTAL_FORM_COUNT], low), high)
        return data


class BasePeopleFormSet(forms.BaseFormSet):
    """The people of the group form: ``p0-`` the booker, ``p1-``... the colleagues."""

    default_error_messages = {
        "missing_management_form": _(
            "The number of people in the form could not be read: check the people below "
            "and send the form again."
        ),
    }

    def __init__(
        self, data=None, *, edition, categories, with_code, initial=None, workshop_slots=()
    ):
        super().__init__(data, initial=initial, prefix="p")
        self.edition = edition
        self.categories = categories
        self.with_code = with_code
        self.workshop_slots = workshop_slots

    def add_prefix(self, index):
        # Django's would be "p-0": the names the form always had are kept.
        return f"{self.prefix}{index}"

    def _count_form(self, data=None, initial=None):
        return PeopleCount(
            data,
            initial=initial,
            auto_id=self.auto_id,
            renderer=self.renderer,
            limits=(self.min_num, self.max_num),
        )

    @cached_property
    def management_form(self):
        # Django's builds its own ManagementForm: this one is PeopleCount.
        if not self.is_bound:
            return self.shown_management_form
        form = self._count_form(self.data)
        form.full_clean()
        return form

    @property
    def shown_management_form(self):
        """The count the page sends back: the people shown, not the count posted (a count
        that could not be read is not sent back to be refused again)."""
        return self._count_form(initial={TOTAL_FORM_COUNT: self.total_form_count()})

    def get_form_kwargs(self, index):
        return {
            "edition": self.edition,
            "index": index,
            "categories": self.categories,
            "category_required": index == 0 and not self.with_code,
            "workshop_slots": self.workshop_slots,
            # Every person shown is filled in or removed with their button: none is an
            # optional extra form, skipped when left empty...
            "empty_permitted": False,
            # ...so the browser may tell which fields are required, as for one person.
            "use_required_attribute": True,
        }

    def clean(self):
        """Each address once in the group, said on the later person; checked once every
        person's own fields are valid."""
        if any(self.errors):
            return
        seen = {}
        for person in self.forms:
            email = person.cleaned_data["email"].casefold()
            if not email:
                continue
            if email in seen:
                person.add_error(
                    "email",
                    _(
                        "Person %(number)s already has this address: each person needs their "
                        "own, or none."
                    )
                    % {"number": seen[email]},
                )
            else:
                seen[email] = person.number


PeopleFormSet = forms.formset_factory(
    PersonForm,
    formset=BasePeopleFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_PEOPLE,
    # A count over the cap is capped (PeopleCount), not refused; absolute_max is the hard
    # stop on the forms built, whatever count is posted.
    validate_max=False,
    absolute_max=MAX_PEOPLE,
)


class GroupForm:
    """The registration form: a :class:`BookingForm` and a :class:`PeopleFormSet` of 1 to
    ``MAX_PEOPLE`` people."""

    def __init__(self, edition, data=None, *, initial_people=None, booking_initial=None):
        self.edition = edition
        self.categories = list(edition.categories.filter(is_public=True))
        #: The workshops open to choice, per slot, with their seats left.
        self.workshop_slots = workshop_pages.form_slots(edition)
        self.is_bound = data is not None
        if data is not None:
            self.booking = BookingForm(data)
            code = data.get("code") or ""
        else:
            booking_initial = {"submission_key": uuid.uuid4(), **(booking_initial or {})}
            self.booking = BookingForm(initial=booking_initial)
            code = booking_initial.get("code") or ""
        self.people = PeopleFormSet(
            data,
            initial=initial_people,
            edition=edition,
            categories=self.categories,
            with_code=bool(code.strip()),
            workshop_slots=self.workshop_slots,
        )

    @cached_property
    def organisations(self):
        return attendees.listed_organisations()

    @property
    def blank_cache_key(self):
        """What the unfilled people's fieldsets depend on, for the template's fragment cache;
        None when the form is filled in or opened with a code (not cached)."""
        if self.is_bound or self.booking.initial.get("code") or self.count != 1:
            return None
        categories = [(c.pk, c.slug, c.name, c.description, c.is_public) for c in self.categories]
        security = sorted(self.edition.security_fields or [])
        workshops = [
            (
                o.session.pk,
                o.session.title,
                o.session.room,
                o.session.start_time,
                o.session.end_time,
                o.left,
            )
            for _slot, options in self.workshop_slots
            for o in options
        ]
        fingerprint = repr((categories, security, workshops, self.edition.updated_at.isoformat()))
        return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]

    @property
    def count(self):
        return len(self.people)

    @property
    def can_add(self):
        return self.count < self.people.max_num

    def is_valid(self):
        booking_valid = self.booking.is_valid()
        return self.people.is_valid() and booking_valid

    @property
    def code(self):
        return self.booking.cleaned_data.get("code", "")

    @property
    def is_spam(self):
        return bool(self.booking.cleaned_data.get("website"))

    def people_kwargs(self):
        """The people as ``capacity.register_group`` takes them. A colleague's empty
        organisation or category is the booker's; with a code, the code decides the category."""
        by_slug = {category.slug: category for category in self.categories}
        code = self.code
        booker = self.people[0].cleaned_data
        typed = []
        for person in self.people:
            data = person.cleaned_data
            name = data["organisation"] or booker["organisation"]
            typed.append(" ".join(name.split()))
        matched = {
            name: attendees.match_organisation(name, self.organisations) for name in set(typed)
        }
        found = Organisation.objects.in_bulk([pk for pk in matched.values() if pk])
        people = []
        for person, name in zip(self.people, typed, strict=True):
            data = person.cleaned_data
            organisation = found.get(matched[name])
            slug = data.get("category") or booker.get("category")
            people.append(
                dict(
                    category=None if code else by_slug.get(slug),
                    email=data["email"],
                    organisation=organisation,
                    organisation_name="" if organisation else name,
                    workshops=person.chosen_workshops(),
                    **person.details(),
                )
            )
        return people

    def error_summary(self):
        """(anchor, text) of every error, in the order of the page."""
        summary = []
        for name in ("code", "website"):
            for error in self.booking.errors.get(name, []):
                field = self.booking[name]
                summary.append((field.auto_id, _labelled(field.label, error)))
        for error in [*self.booking.non_field_errors(), *self.people.non_form_errors()]:
            summary.append(("registration-form", error))
        for person in self.people:
            prefix = _("Person %(number)s") % {"number": person.number}
            for error in person.non_field_errors():
                summary.append((person.fieldset_id, _labelled(prefix, error)))
            for name, field in person.fields.items():
                for error in person.errors.get(name, []):
                    anchor = person.anchor(name)
                    label = _("%(person)s, %(field)s") % {"person": prefix, "field": field.label}
                    summary.append((anchor, _labelled(label, error)))
        return summary


def _labelled(label, message):
    # One translated pattern, so that French gets its space before the colon.
    return _("%(field)s: %(message)s") % {"field": label, "message": message}


def draft(edition, data):
    """The group form re-shown unvalidated after its "add a person" button, or the "remove"
    button of a colleague (the booker, 0, stays; a number that names nobody removes nobody).
    What was typed is kept; a new colleague starts with the booker's organisation and
    category."""
    bound = GroupForm(edition, data)
    try:
        remove = int(data.get("remove_person", ""))
    except ValueError:
        remove = None
    kept = [person for person in bound.people if person.index == 0 or person.index != remove]
    initial_people = [{name: person[name].data for name in person.fields} for person in kept]
    if "add_person" in data and len(initial_people) < bound.people.max_num:
        booker = initial_people[0]
        initial_people.append(
            {"organisation": booker.get("organisation", ""), "category": booker.get("category")}
        )
    booking_initial = {name: bound.booking[name].data for name in ("submission_key", "code")}
    return GroupForm(edition, initial_people=initial_people, booking_initial=booking_initial)


class DetailsForm(AttendeeFields):
    """The manage link's form: the attendee's details, names read-only once locked."""

    def __init__(self, *args, registration, names_locked, **kwargs):
        initial = {
            name: getattr(registration, name) for name in AttendeeFields.DETAILS
        } | kwargs.pop("initial", {})
        super().__init__(*args, edition=registration.edition, initial=initial, **kwargs)
        for name in self.NAMES:
            # A name stored before the rule of common.names is kept as it is unless changed.
            self.fields[name].accept(getattr(registration, name))
        self.names_locked = names_locked
        if names_locked:
            for name in self.NAMES:
                self.fields[name].disabled = True

    def details(self):
        details = super().details()
        if self.names_locked:
            for name in self.NAMES:
                details.pop(name)
        return details


class MoveCategoryForm(forms.Form):
    """A waiting attendee moves to another public category (``capacity.change_category``)."""

    category = forms.ModelChoiceField(
        label=_("Another category"), queryset=None, empty_label=None, to_field_name="slug"
    )

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = registration.edition.categories.filter(
            is_public=True
        ).exclude(pk=registration.category_id)


class LostLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The address you registered with, or the one that registered you."),
    )
    website = forms.CharField(
        label=pgettext_lazy("honeypot field", "Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
