"""The forms of the account pages: the second factor's code, enrolment, the password
confirmation before changing 2FA, and the password reset request (sent through the outbox)."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import emails


class CodeForm(forms.Form):
    """A code of the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, check=None, **kwargs):
        """``check(code)`` returns the device that accepts the code, or ``None``."""
        super().__init__(*args, **kwargs)
        self._check = check
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.device = self._check(code) if self._check else None
        if self.device is None:
            raise forms.ValidationError(
                _(
                    "This code is not right, or was already used. Check the time on your "
                    "phone and type the code it shows now."
                ),
                code="invalid_code",
            )
        return code


class EnrolForm(CodeForm):
    """The first code of a new authenticator, which confirms it."""

    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordConfirmForm(forms.Form):
    """The password again, before changing the two-factor settings."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not right."), code="wrong_password")
        return password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, but the email is an outbox record (durable, retried), written for
    each active account with this address, in the language of the page; the answer is the
    same whether or not an account has it."""

    def save(self, *args, **kwargs):
        language = get_language()
        with transaction.atomic():
            for user in self.get_users(self.cleaned_data["email"]):
                emails.password_reset(user, language=language)
