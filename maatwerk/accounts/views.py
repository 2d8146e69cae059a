"""Login (password, then a code where two-factor login applies) and the user's own two-factor page. The
start pages live in maatwerk.insights (they read case data; accounts imports no domain app)."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import twofactor
from .forms import CodeForm, EnrolForm, LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Log in")}

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.needs_second_step(user):
            return super().form_valid(form)
        # Not logged in yet: the code (or enrolment) comes first. get_redirect_url() checked `next`.
        twofactor.begin_pending(self.request, user, self.get_redirect_url())
        return redirect("login_code" if twofactor.has_device(user) else "login_enrol")


def _expired(request):
    """Back to the password: step 2 is only reached through step 1, and a pending login expires."""
    if twofactor.PENDING_KEY in request.session:
        messages.info(request, _("Log in again: the time to type the code has passed."))
        twofactor.drop_pending(request)
    return redirect("login")


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def login_code(request):
    """Step 2: the code from the app or a recovery code. Wrong codes count towards django-axes' lock of the
    account, like wrong passwords; django-otp slows down repeated tries on the device itself."""
    user = twofactor.pending_user(request)
    if user is None:
        return _expired(request)
    if not twofactor.has_device(user):
        return redirect("login_enrol")
    if AxesProxyHandler.is_locked(request, _credentials(user)):
        twofactor.drop_pending(request)
        return get_lockout_response(request, None, _credentials(user))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device, error = twofactor.check_code(user, form.cleaned_data["code"])
        if device is not None:
            return redirect(
                twofactor.finish_pending(request, user, device) or resolve_url(settings.LOGIN_REDIRECT_URL)
            )
        if error is twofactor.WRONG_CODE:
            user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
            if getattr(request, "axes_locked_out", False):
                twofactor.drop_pending(request)  # the middleware answers with the lockout page
        form.add_service_errors(ValidationError({"code": error}))
    return render(request, "accounts/login_code.html", {"form": form, "title": _("Log in: code")})


def login_enrol(request):
    """A user who must use two-factor login and has no device yet sets it up before the first login."""
    user = twofactor.pending_user(request)
    if user is None:
        return _expired(request)
    if twofactor.has_device(user):
        # Never a second device through the password alone: that would step around the first one.
        return redirect("login_code")
    device, form, codes = _enrol(request, user)
    if codes is not None:
        next_url = twofactor.finish_pending(request, user, device)
        return _show_codes(request, codes, next_url)
    return _enrol_page(request, device, form, required=True)


def _enrol(request, user):
    """(device, form, recovery codes or None): the draft device of this session, confirmed by a right
    first code on a POST (then the codes are new), else the form with its error."""
    device = twofactor.draft_device(request, user, by=user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.confirm_device(request, device, form.cleaned_data["code"], by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            device.refresh_from_db()
            return device, form, codes
    return device, form, None


def _enrol_page(request, device, form, *, required: bool):
    return render(
        request,
        "accounts/twofactor_enrol.html",
        {
            "form": form,
            "required": required,
            "secret": twofactor.secret_text(device),
            "qr_svg": twofactor.qr_svg(device),
            "title": _("Set up two-factor login"),
        },
    )


def _show_codes(request, codes: list[str], next_url: str = ""):
    """The recovery codes are shown once, on the next page (a reload does not show them again)."""
    request.session[twofactor.NEW_CODES_KEY] = codes
    request.session[twofactor.NEXT_KEY] = next_url
    return redirect("twofactor_codes")


@login_required
def account(request):
    user = request.user
    return render(
        request,
        "accounts/twofactor.html",
        {
            "title": _("Two-factor login"),
            "oidc": twofactor.logged_in_through_oidc(request),
            "enabled": twofactor.has_device(user),
            "required": twofactor.is_required(user),
            "codes_left": twofactor.recovery_codes_left(user),
        },
    )


@login_required
def account_enrol(request):
    """A logged-in user switches two-factor login on for their own account."""
    user = request.user
    if twofactor.logged_in_through_oidc(request) or twofactor.has_device(user):
        return redirect("twofactor")
    device, form, codes = _enrol(request, user)
    if codes is not None:
        twofactor.otp_login(request, device)  # this session has now shown the second factor
        return _show_codes(request, codes, reverse("twofactor"))
    return _enrol_page(request, device, form, required=False)


@login_required
@require_POST
def regenerate_codes(request):
    # Only a session that passed the second step: the password alone must not hand out recovery codes.
    if not twofactor.has_device(request.user) or not request.user.is_verified():
        raise PermissionDenied
    codes = twofactor.regenerate_recovery_codes(request.user, by=request.user, request=request)
    return _show_codes(request, codes, reverse("twofactor"))


@login_required
def recovery_codes(request):
    codes = request.session.pop(twofactor.NEW_CODES_KEY, None)
    next_url = request.session.pop(twofactor.NEXT_KEY, "") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    return render(
        request,
        "accounts/twofactor_codes.html",
        {
            "title": _("Recovery codes"),
            "codes": codes,
            "next": next_url or resolve_url(settings.LOGIN_REDIRECT_URL),
        },
    )
