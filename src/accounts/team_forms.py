"""The forms of the team, API token and audit log pages. The rules they apply live in
:mod:`accounts.invitations` and :mod:`accounts.tokens`; the forms offer only the choices
those rules allow, and turn the rules' refusals into field errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import tokens
from accounts.enums import AuditAction, Role
from events.models import Edition


class EditionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, edition):
        return edition.title


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)
    edition = EditionChoiceField(
        label=_("Edition"),
        queryset=None,
        required=False,
        empty_label=_("Every edition of the organisation"),
        help_text=_("To narrow the role to one edition the organisation organises."),
    )

    def __init__(self, *args, organisations, **kwargs):
        """``organisations``: those the user manages (the team pages' choice)."""
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["edition"].queryset = (
            Edition.objects.filter(organisers__in=organisations).distinct().order_by("-date")
        )

    def clean(self):
        cleaned = super().clean()
        organisation, edition = cleaned.get("organisation"), cleaned.get("edition")
        if organisation and edition and not edition.organisers.filter(pk=organisation.pk).exists():
            self.add_error("edition", _("This edition is not organised by this organisation."))
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “scanner at entrance B”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what your roles allow; the token never does more than you."),
    )
    edition = EditionChoiceField(
        label=_("Edition"),
        queryset=None,
        required=False,
        empty_label=_("Every edition I work on"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["scopes"].choices = [
            (action.value, action.label) for action in tokens.grantable_actions(user)
        ]
        self.fields["edition"].queryset = tokens.workable_editions(user)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *AuditAction.choices],
    )
