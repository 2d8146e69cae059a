"""Two-factor login for local accounts: a code from an authenticator app (django-otp's TOTPDevice) or a
recovery code (otp_static's StaticDevice), after the password.

Who must: superusers, the roles of settings.TWOFACTOR_REQUIRED_ROLES, and everyone in production; anyone
else who switched it on. The password step does not log in: it leaves a *pending* login in the session
(the user, the backend, the page to go to, an expiry), and only a right code logs in (django's login() and
django_otp's). A required user without a device enrols first, in the same pending login. A login through
the municipality's identity provider (OIDC) never comes here: the provider asks the second factor.

Every change to a user's devices goes through a function here that takes the acting user (`by=`) and writes
an AccessLog row; the rows never hold a secret or a code.
"""

import base64
import time

import segno
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import log_access
from .models import AccessLog, Membership, User

OIDC_BACKEND = "maatwerk.oidc.backends.MunicipalOIDCBackend"
APP_DEVICE = "app"
RECOVERY_DEVICE = "recovery"
RECOVERY_CODES = 10

PENDING_KEY = "maatwerk_2fa_pending"
DRAFT_KEY = "maatwerk_2fa_draft"  # the device being enrolled in this session
NEW_CODES_KEY = "maatwerk_2fa_new_codes"  # recovery codes to show once
NEXT_KEY = "maatwerk_2fa_next"  # where to go after the recovery codes

WRONG_CODE = _(
    "This code is not right, or it was used already. Type the code the app shows now, or a recovery code."
)
THROTTLED = _("Too many wrong codes in a row. Wait a few seconds and try again.")


# --- who ----------------------------------------------------------------------------------------------


def is_required(user: User) -> bool:
    roles = settings.TWOFACTOR_REQUIRED_ROLES
    if settings.PRODUCTION or "*" in roles:
        return True
    return user.is_superuser or user.has_role(*roles)


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_step(user: User) -> bool:
    return has_device(user) or is_required(user)


def logged_in_through_oidc(request) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- the pending login -------------------------------------------------------------------------------


def begin_pending(request, user: User, next_url: str) -> None:
    """After a right password: remember who, how and where to, for TWOFACTOR_PENDING_SECONDS."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "until": int(time.time()) + settings.TWOFACTOR_PENDING_SECONDS,
        # A password changed in between ends the pending login, as it ends sessions.
        "hash": user.get_session_auth_hash(),
    }
    request.session.pop(DRAFT_KEY, None)


def pending_user(request) -> User | None:
    """The user of a pending login that has not expired, or None (the caller drops it)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if (
        user is None
        or time.time() > pending.get("until", 0)
        or user.get_session_auth_hash() != pending.get("hash")
    ):
        return None
    return user


def drop_pending(request) -> None:
    for key in (PENDING_KEY, DRAFT_KEY):
        request.session.pop(key, None)


def finish_pending(request, user: User, device) -> str:
    """Log the pending user in, as verified by `device`; returns where to go (already checked at step 1)."""
    pending = request.session[PENDING_KEY]
    drop_pending(request)
    auth_login(request, user, backend=pending["backend"])
    otp_login(request, device)
    return pending.get("next") or ""


# --- checking a code ----------------------------------------------------------------------------------


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def check_code(user: User, code: str):
    """(device, None) for a right code, else (None, WRONG_CODE or THROTTLED). Six digits are a code from the
    app, anything else a recovery code (eight letters and digits), which works once."""
    code = _normalised(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    devices = list(model.objects.filter(user=user, confirmed=True))
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        return None, THROTTLED
    for device in devices:
        # verify_token locks the device row (select_for_update) so that one code cannot be used twice at once.
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified, None
    return None, WRONG_CODE


# --- changes (with by= and an audit row) -------------------------------------------------------------


def _audit(by, user: User, purpose: str, request=None, action=AccessLog.Action.UPDATE, **changes) -> None:
    municipality_id = (
        Membership.objects.filter(user=user, municipality__isnull=False)
        .order_by("municipality_id")
        .values_list("municipality_id", flat=True)
        .first()
    )
    log_access(
        by,
        user,
        action=action,
        purpose=purpose,
        municipality_id=municipality_id,
        request=request,
        changes=changes,
    )


def draft_device(request, user: User, *, by) -> TOTPDevice:
    """The unconfirmed device of the enrolment under way in this session; a new session gets a new secret
    (someone who saw an earlier QR code cannot read the codes of the device confirmed later)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, pk=request.session.get(DRAFT_KEY)).first()
    if device is None:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)
            _audit(by, user, "two-factor enrolment started", request, two_factor=["", "enrolling"])
        request.session[DRAFT_KEY] = device.pk
    return device


def confirm_device(request, device: TOTPDevice, code: str, *, by) -> list[str]:
    """Confirm the draft with its first code: the user's only app device from now on; returns the new
    recovery codes (shown once). A wrong code raises a ValidationError on `code`."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed = device.verify_is_allowed()[0]
        verified = allowed and device.verify_token(_normalised(code))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
            codes = _new_recovery_codes(device.user)
            _audit(by, device.user, "two-factor switched on", request, two_factor=["off", "on"])
    # Outside the transaction: the failed attempt (django-otp's throttle) stays counted.
    if not verified:
        raise ValidationError({"code": WRONG_CODE if allowed else THROTTLED})
    request.session.pop(DRAFT_KEY, None)
    return codes


@transaction.atomic
def enrol_directly(user: User, *, by, purpose: str) -> TOTPDevice:
    """A confirmed app device made without a first code from the app (the demo's accounts, whose codes
    `manage.py demo_code` prints); the user makes recovery codes on their two-factor page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=True)
        _audit(by, user, purpose, two_factor=["off", "on"])
    return device


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def regenerate_recovery_codes(user: User, *, by, request=None) -> list[str]:
    """New recovery codes in place of the old ones (which stop working); for a user with an app device."""
    if not has_device(user):
        raise ValidationError(_("Two-factor login is not switched on for this account."))
    codes = _new_recovery_codes(user)
    _audit(by, user, "two-factor recovery codes renewed", request, recovery_codes=["(oud)", "(nieuw)"])
    return codes


@transaction.atomic
def reset(user: User, *, by, request=None) -> bool:
    """Remove every device of `user` (a lost phone): the next login enrols again (or, where two-factor is
    optional, logs in with the password only). Returns whether there was anything to remove."""
    removed = (
        TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    )
    if removed:
        _audit(
            by, user, "two-factor reset", request, action=AccessLog.Action.DELETE, two_factor=["on", "off"]
        )
    return bool(removed)


# --- what enrolment shows -----------------------------------------------------------------------------


def secret_text(device: TOTPDevice) -> str:
    """The secret as the apps ask it for manual entry: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG (the CSP allows no inline script, inline SVG is fine)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title=str(_("QR code for the authenticator app")), dark="#000", light="#fff"
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)
