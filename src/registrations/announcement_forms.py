"""The organisers' form of a message to a group of attendees (see
:mod:`registrations.announcements`)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.announcements import ADMITTED, NOT_ADMITTED, STATUSES
from registrations.enums import RegistrationStatus
from registrations.models import Announcement

STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _("Confirmed"),
    RegistrationStatus.WAITLISTED: _("On the waiting list"),
}


def _one_line(value):
    """A subject is one line: line breaks and runs of spaces become one space."""
    return " ".join(value.split())


class AnnouncementForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=Announcement._meta.get_field("subject").max_length
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=Announcement._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Plain text, sent as written. Each person's email ends with their private link "
            "to change or cancel their registration."
        ),
    )
    statuses = forms.MultipleChoiceField(
        label=_("People"),
        choices=[(status, STATUS_LABELS[status]) for status in STATUSES],
        initial=[RegistrationStatus.CONFIRMED],
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every category."),
    )
    admitted = forms.ChoiceField(
        label=_("Admitted at the door"),
        required=False,
        choices=[
            ("", _("Whether admitted or not")),
            (ADMITTED, _("Only people admitted at the door")),
            (NOT_ADMITTED, _("Only people not admitted")),
        ],
    )
    # The form's one-time key: sent twice (a double click), it sends the message once.
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, categories, **kwargs):
        kwargs.setdefault("initial", {"submission_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [
            (category.slug, category.name) for category in categories
        ]

    def clean_subject(self):
        subject = _one_line(self.cleaned_data["subject"])
        if not subject:
            raise forms.ValidationError(_("Write a subject."), code="required")
        return subject

    def audience(self):
        """The group chosen, as :func:`registrations.announcements.recipients` takes it."""
        data = self.cleaned_data
        return {
            "statuses": sorted(data["statuses"]),
            "categories": sorted(data["categories"]),
            "admitted": data["admitted"] or None,
        }
