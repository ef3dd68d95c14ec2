"""The organisers' page of an edition's personal data: its retention settings, and a person's
copy or erasure on their request (by post, by phone…), found by email or name.

Every page needs a login (anonymous visitors go to the login page) and ``manage`` on the
edition; other users get the 403 page and no data. The rules are :mod:`registrations.privacy`'s;
copies and erasures are recorded in the audit log there.
"""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts import permissions
from common.decorators import organiser_page
from common.permissions import Action
from events.models import Edition
from registrations import privacy
from registrations.models import Registration
from registrations.organiser_forms import search

#: People shown for one search: enough to pick one among namesakes.
RESULTS_SHOWN = 20


class RetentionForm(forms.ModelForm):
    """The edition's two retention periods; one whose deletion was done can no longer change."""

    class Meta:
        model = Edition
        fields = ["venue_data_retention_days", "personal_data_retention_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, done in (
            ("venue_data_retention_days", self.instance.venue_data_deleted_at),
            ("personal_data_retention_days", self.instance.personal_data_anonymised_at),
        ):
            field = self.fields[name]
            # The model's bounds, checked by the field (a number beyond them must not reach
            # the edition, whose due dates the page draws), in the widget (min, max) and said
            # in the help.
            validators = Edition._meta.get_field(name).validators
            field.validators.extend(validators)
            bounds = {type(v).__name__: v.limit_value for v in validators}
            field.min_value = bounds.get("MinValueValidator")
            field.max_value = bounds.get("MaxValueValidator")
            field.widget.attrs.update({"min": field.min_value, "max": field.max_value})
            field.help_text = format_lazy(
                "{} {}",
                field.help_text,
                gettext_lazy("From %(min)s to %(max)s.")
                % {"min": field.min_value, "max": field.max_value},
            )
            if done:
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        venue = cleaned.get("venue_data_retention_days")
        personal = cleaned.get("personal_data_retention_days")
        if venue and personal and venue > personal:
            raise ValidationError(
                gettext_lazy(
                    "The venue details cannot be kept longer than the other personal data."
                )
            )
        return cleaned


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Email or name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("The person who asked: their email address, or their names."),
    )


def _edition(request, slug):
    return permissions.require_edition(request.user, slug, Action.MANAGE)


def _person(edition, pk):
    return get_object_or_404(
        Registration.objects.select_related("category").filter(anonymised_at=None),
        edition=edition,
        pk=pk,
    )


@organiser_page
@require_http_methods(["GET", "HEAD", "POST"])
def page(request, slug):
    edition = _edition(request, slug)
    if request.method == "POST":
        form = RetentionForm(request.POST, instance=edition)
        if form.is_valid():
            form.save()
            messages.success(request, _("The retention settings are saved."))
            return redirect("privacy_organiser:page", slug=edition.slug)
    else:
        form = RetentionForm(instance=edition)
    search_form = PersonSearchForm(request.GET)
    query = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
    people = None
    if query:
        people = list(
            search(Registration.objects.filter(edition=edition, anonymised_at=None), query)
            .select_related("category", "organisation")
            .order_by("last_name", "first_name", "pk")[:RESULTS_SHOWN]
        )
    return render(
        request,
        "registrations/privacy/page.html",
        {
            "edition": edition,
            "form": form,
            "search_form": search_form,
            "query": query,
            "people": people,
            "results_shown": RESULTS_SHOWN,
            "venue_due": privacy.venue_data_due_at(edition),
            "personal_due": privacy.personal_data_due_at(edition),
            "can_manage": True,
        },
        status=400 if form.errors else 200,
    )


@organiser_page
@require_safe
def copy(request, slug, pk):
    edition = _edition(request, slug)
    registration = _person(edition, pk)
    data = privacy.data_copy(registration, by=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"donnees-{edition.slug}-{registration.pk}.json"
    )
    return response


@organiser_page
@require_http_methods(["GET", "HEAD", "POST"])
def erase(request, slug, pk):
    edition = _edition(request, slug)
    registration = _person(edition, pk)
    if request.method == "POST":
        privacy.erase(registration, by=request.user)
        messages.success(request, _("The person's data was deleted."))
        return redirect("privacy_organiser:page", slug=edition.slug)
    return render(
        request,
        "registrations/privacy/erase.html",
        {
            "edition": edition,
            "registration": registration,
            "will_cancel": registration.is_active and timezone.now() < edition.ends_at,
            "can_manage": True,
        },
    )
