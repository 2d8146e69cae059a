"""Login. The start pages live in maatwerk.insights (they read case data; accounts imports no domain app)."""

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Log in")}
