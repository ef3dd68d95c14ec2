"""The organisers' form of a message to a group of attendees (see
:mod:`registrations.announcements`): a group by status, category and admission, or the people
chosen one by one on the registrations list (its "Write to them" opens the form with their
pks in the address: ``?pk=12&pk=15``)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.announcements import (
    ADMITTED,
    MAX_SELECTION,
    NOT_ADMITTED,
    STATUSES,
    parse_selection,
    recipients,
)
from registrations.enums import RegistrationStatus
from registrations.models import Announcement

STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _("Confirmed"),
    RegistrationStatus.WAITLISTED: _("On the waiting list"),
}
#: The names of the people chosen that the form shows; beyond, how many more.
CHOSEN_SHOWN = 20


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
    # The people chosen on the registrations list, their pks separated by commas; empty for
    # a group chosen by the fields above.
    selection = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args, edition, categories, selection=None, **kwargs):
        """``selection``: unbound, the pks asked for in the address (strings, garbage
        included), or None to choose a group."""
        kwargs.setdefault("initial", {"submission_key": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [
            (category.slug, category.name) for category in categories
        ]
        if self.is_bound:
            written = self.data.get("selection") or ""
            self.selecting = bool(written.strip())
        else:
            written = ",".join(str(pk) for pk in parse_selection(selection or ()))
            self.initial["selection"] = written
            self.selecting = selection is not None
        if self.selecting:
            # Other editions' people, cancelled ones and garbage are left out, silently: the
            # form says how many remain, and names them.
            self.asked = parse_selection(written.split(","))
            self.chosen = recipients(edition, {"registrations": self.asked})
            self.chosen_count = self.chosen.count()
            self.chosen_shown = list(self.chosen[:CHOSEN_SHOWN])
            self.chosen_more = self.chosen_count - len(self.chosen_shown)
            for name in ("statuses", "categories", "admitted"):
                self.fields[name].required = False

    def clean_subject(self):
        subject = _one_line(self.cleaned_data["subject"])
        if not subject:
            raise forms.ValidationError(_("Write a subject."), code="required")
        return subject

    def clean(self):
        cleaned = super().clean()
        if self.selecting:
            if len(self.asked) > MAX_SELECTION:
                raise forms.ValidationError(
                    _(
                        "Too many people chosen one by one (%(max)s at most): write to a "
                        "group instead."
                    )
                    % {"max": MAX_SELECTION},
                    code="too_many",
                )
            if not self.chosen_count:
                raise forms.ValidationError(
                    _(
                        "None of the people chosen can be written to: they cancelled, belong "
                        "to another day or have no address."
                    ),
                    code="nobody",
                )
        return cleaned

    def audience(self):
        """The group chosen, as :func:`registrations.announcements.recipients` takes it."""
        data = self.cleaned_data
        if self.selecting:
            return {"registrations": list(self.chosen.values_list("pk", flat=True))}
        return {
            "statuses": sorted(data["statuses"]),
            "categories": sorted(data["categories"]),
            "admitted": data["admitted"] or None,
        }
