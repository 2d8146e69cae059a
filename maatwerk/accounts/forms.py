from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from maatwerk.forms import NLDSFormMixin


class LoginForm(NLDSFormMixin, AuthenticationForm):
    pass


class CodeForm(NLDSFormMixin, forms.Form):
    """The second step: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits the authenticator app shows now, or one of your recovery codes."),
        # Not a number input: recovery codes have letters; "one-time-code" lets phones fill it in.
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
        error_messages={"required": _("Type the code.")},
    )


class EnrolForm(NLDSFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        help_text=_("The 6 digits the app shows after you added the account."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Type the code.")},
    )
