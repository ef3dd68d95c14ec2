"""The organisers' form to copy an edition (:mod:`events.copying`)."""

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from common import moments
from events.models import Edition


class CopyEditionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address name (slug)"),
        max_length=80,
        help_text=_("Letters, digits and hyphens, as in the address of the day's page."),
    )
    date = moments.DateFormField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Registration windows and deadlines move by as many days."),
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        label=_("End time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, source, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Edition.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                _("Another edition already has this address name."), code="unique"
            )
        return slug

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if (start is None) != (end is None):
            self.add_error("end_time", _("Give both the start and end times, or neither."))
        elif start and end and end <= start:
            self.add_error("end_time", _("The day must end after it starts."))
        elif start and end:
            outside = self.source.sessions.exclude(start_time__gte=start, end_time__lte=end)
            if outside.exists():
                self.add_error(
                    "end_time",
                    _(
                        "The programme's sessions must fit within the day's hours "
                        "(%(start)s to %(end)s)."
                    )
                    % {"start": formats.time_format(start), "end": formats.time_format(end)},
                )
        return data
