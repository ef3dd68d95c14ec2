"""Forms of the organiser pages that edit an edition, its venue and its programme.

:class:`EditForm` is the base of every editing form of the organisers' area (categories and
entrances use it too): date and time inputs the browser understands, addresses typed
without a scheme taken as https ones, and a model's ``clean()`` that blames a field the form
does not show reported at the top of the form, named, instead of failing.
"""

from django import forms
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.forms import EditForm, https_by_default
from events.enums import SecurityField
from events.models import Edition, Session, Speaker, Venue
from events.workshops import below_taken_sentence, seats_taken
from network.models import Organisation

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
TIME_INPUT = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
MOMENT_INPUT = forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})


class SlugPerEditionForm(EditForm):
    """For a model whose ``slug`` is unique within its edition; the instance carries its
    edition. An empty slug is made from ``slug_source``. ``slug_taken``: the error on a
    taken slug (the edition is not a form field, so Django would not check it)."""

    slug_source = "name"
    slug_taken = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if "slug" not in self.fields:
            return cleaned_data
        slug = cleaned_data.get("slug") or slugify(cleaned_data.get(self.slug_source) or "")
        if not slug:
            if self.slug_source in cleaned_data:
                self.add_error("slug", _("Give a code made of letters, digits and hyphens."))
            return cleaned_data
        slug = slug[: self._meta.model._meta.get_field("slug").max_length]
        cleaned_data["slug"] = slug
        taken = self._meta.model.objects.filter(edition=self.instance.edition, slug=slug)
        if taken.exclude(pk=self.instance.pk).exists():
            self.add_error("slug", self.slug_taken)
        return cleaned_data


# The edition -------------------------------------------------------------------------------

#: What an editor may change: the content, not the settings.
CONTENT_FIELDS = ("title", "summary", "description")


class EditionContentForm(EditForm):
    """An edition's text, for editors (``edit_content``)."""

    class Meta:
        model = Edition
        fields = CONTENT_FIELDS

    def sections(self):
        return [(_("The day"), [self[name] for name in CONTENT_FIELDS])]


#: The settings page's sections: a title and the fields under it.
SETTINGS_SECTIONS = (
    (
        _("The day"),
        (*CONTENT_FIELDS, "date", "start_time", "end_time", "venue", "status"),
    ),
    (
        _("Registration"),
        (
            "capacity",
            "has_waiting_list",
            "show_places_left",
            "workshop_promotion",
            "registration_opens_at",
            "registration_closes_at",
            "participant_list_is_public",
        ),
    ),
    (
        _("The venue's security"),
        (
            "id_required",
            "security_fields",
            "security_list_first_deadline",
            "security_list_final_deadline",
            "reconfirmation_days",
        ),
    ),
    (
        _("Personal data"),
        ("venue_data_retention_days", "personal_data_retention_days"),
    ),
)


class EditionSettingsForm(EditForm):
    """Everything of an edition its organisers (``manage``) change, in sections."""

    security_fields = forms.MultipleChoiceField(
        label=capfirst(Edition._meta.get_field("security_fields").verbose_name),
        choices=SecurityField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Beyond the names as on the ID: only what the venue asks for."),
    )

    class Meta:
        model = Edition
        fields = tuple(name for _title, names in SETTINGS_SECTIONS for name in names)
        widgets = {
            "date": DATE_INPUT,
            "start_time": TIME_INPUT,
            "end_time": TIME_INPUT,
            "registration_opens_at": MOMENT_INPUT,
            "registration_closes_at": MOMENT_INPUT,
            "security_list_first_deadline": MOMENT_INPUT,
            "security_list_final_deadline": MOMENT_INPUT,
        }

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["venue"].help_text = _(
            "The venues of your organisations; add or change one from this page."
        )

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SETTINGS_SECTIONS]


class NewEditionForm(EditForm):
    """A new edition, organised by one of the organisations whose organiser the user is."""

    organisation = forms.ModelChoiceField(
        label=_("Organised by"), queryset=Organisation.objects.none(), empty_label=None
    )

    class Meta:
        model = Edition
        fields = ("title", "slug", "number", "summary", "date")
        widgets = {"date": DATE_INPUT}
        help_texts = {
            "slug": _(
                "The end of the day's address (letters, digits and hyphens); made from the "
                "title when empty. It cannot be changed later."
            )
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["slug"].required = False
        self.order_fields(["organisation"])

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("slug") and cleaned_data.get("title"):
            cleaned_data["slug"] = slugify(cleaned_data["title"])[:80]
            if not cleaned_data["slug"]:
                self.add_error("slug", _("Give a code made of letters, digits and hyphens."))
        return cleaned_data

    def save(self, commit=True):
        edition = super().save(commit=commit)
        if commit:
            edition.organisers.add(self.cleaned_data["organisation"])
        return edition


# The venue ---------------------------------------------------------------------------------


class VenueForm(EditForm):
    class Meta:
        model = Venue
        formfield_callback = https_by_default
        fields = (
            "name",
            "street_address",
            "postal_code",
            "city",
            "public_transport",
            "accessibility",
            "map_url",
        )


class NewVenueForm(VenueForm):
    owner = forms.ModelChoiceField(
        label=_("Owning organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("Its organisers and editors may change this venue."),
    )

    class Meta(VenueForm.Meta):
        fields = ("owner", *VenueForm.Meta.fields)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations


# The programme -----------------------------------------------------------------------------


SESSION_FIELDS = (
    "kind",
    "start_time",
    "end_time",
    "title",
    "description",
    "room",
    "is_illustrative",
    "speakers",
    "organisations",
)
WORKSHOP_FIELDS = ("is_workshop", "capacity", "choices_close_at")


def chosen_by(session):
    """How many people chose the saved workshop ``session``: seats, offers, waiting lists
    and wishes. The choices are the registrations app's; read here through their reverse
    relation, by name, as this app imports none of the apps above it."""
    return session.choices.count() if session.pk else 0


def workshop_errors(session, cleaned_data):
    """``{field: message}``: what the saved ``session`` (its fields as saved) may not become
    with ``cleaned_data``: a workshop people chose stays one, and keeps at least a seat for
    each person holding one (:func:`events.workshops.seats_taken`)."""
    if session.pk is None or not session.is_workshop:
        return {}
    if "is_workshop" in cleaned_data and not cleaned_data["is_workshop"]:
        count = chosen_by(session)
        if count:
            return {
                "is_workshop": ngettext(
                    "%(count)s person chose this workshop: move them to another workshop "
                    "before it stops being one.",
                    "%(count)s people chose this workshop: move them to other workshops "
                    "before it stops being one.",
                    count,
                )
                % {"count": count}
            }
        return {}
    capacity = cleaned_data.get("capacity")
    taken = seats_taken([session])[session.pk]
    if capacity is not None and capacity < taken:
        return {"capacity": below_taken_sentence(taken)}
    return {}


class SessionForm(EditForm):
    """A session of the edition the instance carries; speakers of that edition only.

    A workshop's seats may not go below the people holding one, nor may a workshop people
    chose stop being one (:func:`workshop_errors`); the view gives seats raised to the
    waiting list (:data:`events.signals.workshop_seats_raised`)."""

    class Meta:
        model = Session
        fields = (*SESSION_FIELDS, *WORKSHOP_FIELDS)
        widgets = {
            "start_time": TIME_INPUT,
            "end_time": TIME_INPUT,
            "choices_close_at": MOMENT_INPUT,
            "speakers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speakers"].queryset = Speaker.objects.filter(edition=self.instance.edition)
        self.fields["organisations"].queryset = Organisation.objects.order_by("name", "pk")
        self.fields["organisations"].widget.attrs["size"] = 8
        self.fields["capacity"].widget.attrs["min"] = 1

    def clean(self):
        cleaned_data = super().clean()
        # The instance still holds the session as saved: the form's values are put on it
        # after clean().
        for name, message in workshop_errors(self.instance, cleaned_data).items():
            self.add_error(name, message)
        return cleaned_data

    def sections(self):
        """The page's groups of fields: the session, then what makes it a workshop."""
        return [
            (None, [self[name] for name in SESSION_FIELDS]),
            (_("Workshop open to choice"), [self[name] for name in WORKSHOP_FIELDS]),
        ]


class SpeakerForm(SlugPerEditionForm):
    slug_taken = _("Another speaker of this edition has this code.")

    class Meta:
        model = Speaker
        fields = ("name", "slug", "role", "organisation", "affiliation", "bio")
        labels = {"slug": capfirst(_("code"))}
        help_texts = {
            "slug": _(
                "The end of the speaker's page address; made from the name when empty. "
                "Changing it breaks links to the old address."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name", "pk")
        self.fields["organisation"].help_text = _("When the organisation is in the directory.")


class ReportTextsForm(EditForm):
    """The organisers' own sections of the report after the day (``edit_content``)."""

    class Meta:
        model = Edition
        fields = ("report_introduction", "report_conclusions")
        widgets = {
            "report_introduction": forms.Textarea(attrs={"rows": 10}),
            "report_conclusions": forms.Textarea(attrs={"rows": 10}),
        }
