from django.contrib.auth.forms import AuthenticationForm

from maatwerk.forms import NLDSFormMixin


class LoginForm(NLDSFormMixin, AuthenticationForm):
    pass
