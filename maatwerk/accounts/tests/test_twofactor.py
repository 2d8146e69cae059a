"""Two-factor login for local accounts, with the clock frozen (time-machine): the code step, enrolment,
recovery codes, the lock after wrong codes, who must use it, and the administrator's reset."""

import datetime
import time

import pytest
import time_machine
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from maatwerk.accounts import twofactor
from maatwerk.accounts.models import AccessLog, Membership, Role

pytestmark = pytest.mark.django_db

# A moment in the middle of a 30-second step, so that "the previous / next step" are unambiguous.
NOW = datetime.datetime(2026, 12, 1, 10, 0, 15, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def code(device: TOTPDevice, *, steps: int = 0) -> str:
    """What the user's app shows now (or `steps` time steps later), computed like the app does."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps * device.step  # the frozen clock
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name=twofactor.APP_DEVICE, confirmed=True)
    return device, twofactor.regenerate_recovery_codes(user, by=user)


def password(client: Client, username: str, pw: str = PASSWORD, next_url: str | None = None):
    data = {"username": username, "password": pw}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/inloggen/", data)


def second_step(client: Client, value: str):
    return client.post("/inloggen/code/", {"code": value})


def logged_in_as(client: Client) -> str | None:
    response = client.get("/api/v1/me")
    return response.json()["username"] if response.status_code == 200 else None


# --- the code step ------------------------------------------------------------------------------------


def test_password_alone_does_not_log_in_a_user_with_a_device(world, client, clock):
    enrol(world.alice)
    response = password(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/inloggen/code/"
    assert logged_in_as(client) is None
    # Every other page sends the pending user to the login.
    assert client.get("/casussen/")["Location"].startswith("/inloggen/")


def test_current_code_logs_in_and_verifies_the_session(world, client, clock):
    device, _ = enrol(world.alice)
    password(client, "alice")
    response = second_step(client, code(device))
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_as(client) == "alice"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_the_same_code_is_refused_a_minute_later(world, client, clock):
    device, _ = enrol(world.alice)
    old = code(device)
    clock.shift(60)
    password(client, "alice")
    response = second_step(client, old)
    assert response.status_code == 200
    assert "Code: Deze code klopt niet" in response.content.decode()
    assert logged_in_as(client) is None


def test_a_used_code_is_refused_within_its_own_step(world, client, clock):
    device, _ = enrol(world.alice)
    used = code(device)
    password(client, "alice")
    assert second_step(client, used).status_code == 302
    other = Client()
    password(other, "alice")
    clock.shift(2)  # past django-otp's back-off, still in the same 30 seconds
    assert second_step(other, used).status_code == 200
    assert logged_in_as(other) is None


@pytest.mark.parametrize("steps", [-1, 1])
def test_a_code_of_the_previous_or_next_step_is_accepted(world, client, clock, steps):
    device, _ = enrol(world.alice)
    password(client, "alice")
    assert second_step(client, code(device, steps=steps)).status_code == 302
    assert logged_in_as(client) == "alice"


def test_a_code_two_steps_away_is_refused(world, client, clock):
    device, _ = enrol(world.alice)
    password(client, "alice")
    assert second_step(client, code(device, steps=2)).status_code == 200
    assert logged_in_as(client) is None


def test_a_recovery_code_logs_in_once(world, client, clock):
    _, codes = enrol(world.alice)
    password(client, "alice")
    # Typed as people type them: upper case, with a space.
    assert second_step(client, f" {codes[0][:4].upper()} {codes[0][4:]}").status_code == 302
    assert logged_in_as(client) == "alice"
    assert StaticToken.objects.filter(device__user=world.alice).count() == 9
    again = Client()
    password(again, "alice")
    clock.shift(2)
    assert second_step(again, codes[0]).status_code == 200
    assert logged_in_as(again) is None


def test_right_code_right_after_a_wrong_one_waits_for_the_back_off(world, client, clock):
    device, _ = enrol(world.alice)
    password(client, "alice")
    second_step(client, "000000" if code(device) != "000000" else "111111")
    response = second_step(client, code(device))
    assert "Te veel foute codes" in response.content.decode()
    clock.shift(1)
    assert second_step(client, code(device)).status_code == 302


def test_five_wrong_codes_lock_the_account_like_wrong_passwords(world, client, clock, settings):
    device, _ = enrol(world.alice)
    wrong = "000000" if code(device) != "000000" else "111111"
    password(client, "alice")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert second_step(client, wrong).status_code == 200
        clock.shift(60)  # past django-otp's growing back-off, so that each try counts
    assert second_step(client, wrong).status_code == 429
    # The pending login is gone, and the password no longer helps either.
    assert second_step(client, code(device))["Location"] == "/inloggen/"
    response = password(Client(), "alice")
    assert response.status_code == 429 and "geblokkeerd" in response.content.decode()


def test_wrong_passwords_still_lock_a_two_factor_user(world, client, clock, settings):
    enrol(world.lars)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password(client, "lars", "wrong-password").status_code == 200
    assert password(client, "lars", "wrong-password").status_code == 429
    assert password(client, "lars").status_code == 429


def test_the_code_step_cannot_be_reached_without_the_password(world, client, clock):
    device, _ = enrol(world.alice)
    response = second_step(client, code(device))
    assert response.status_code == 302 and response["Location"] == "/inloggen/"
    assert client.get("/inloggen/code/")["Location"] == "/inloggen/"
    assert logged_in_as(client) is None


def test_a_pending_login_expires(world, client, clock, settings):
    device, _ = enrol(world.alice)
    password(client, "alice")
    clock.shift(settings.TWOFACTOR_PENDING_SECONDS + 1)
    response = second_step(client, code(device))
    assert response["Location"] == "/inloggen/"
    assert logged_in_as(client) is None
    assert "opnieuw in" in client.get("/inloggen/").content.decode()


def test_next_is_kept_through_the_code_step_and_an_outside_next_is_not(world, client, clock):
    device, _ = enrol(world.alice)
    password(client, "alice", next_url="/casussen/")
    assert second_step(client, code(device))["Location"] == "/casussen/"
    other = Client()
    password(other, "alice", next_url="https://elders.example/")
    clock.shift(30)
    assert second_step(other, code(device))["Location"] == "/"


# --- who must -----------------------------------------------------------------------------------------


def test_worker_without_a_device_logs_in_with_the_password_in_development(world, client):
    assert password(client, "alice")["Location"] == "/"
    assert logged_in_as(client) == "alice"


@pytest.mark.parametrize("who", ["lars", "adam"])
def test_legal_checker_and_admin_must_enrol_and_are_not_logged_in_until_then(world, client, clock, who):
    response = password(client, who)
    assert response["Location"] == "/inloggen/instellen/"
    assert logged_in_as(client) is None
    assert client.get("/")["Location"].startswith("/inloggen/")
    # The code step sends them back to enrolment: there is no device to ask a code of.
    assert client.get("/inloggen/code/")["Location"] == "/inloggen/instellen/"


def test_production_mode_requires_two_factor_for_a_worker(world, client, settings):
    settings.PRODUCTION = True
    assert password(client, "alice")["Location"] == "/inloggen/instellen/"
    assert logged_in_as(client) is None


def test_the_required_roles_come_from_the_setting(world, client, settings):
    settings.TWOFACTOR_REQUIRED_ROLES = ["policy"]
    assert password(client, "lars")["Location"] == "/"
    assert password(Client(), "erin")["Location"] == "/inloggen/instellen/"


# A login through the municipality's identity provider is exempt: tested with a real provider in
# maatwerk/oidc/tests/test_login.py, with a legal checker who is not asked for a Maatwerk code.


# --- enrolment ----------------------------------------------------------------------------------------


def test_enrolment_shows_qr_and_secret_and_confirms_with_the_first_code(world, client, clock):
    password(client, "lars", next_url="/budget/")
    page = client.get("/inloggen/instellen/").content.decode()
    device = TOTPDevice.objects.get(user=world.lars, confirmed=False)
    assert "<svg" in page and twofactor.secret_text(device) in page
    # A reload shows the same secret (the app may have scanned it already).
    assert twofactor.secret_text(device) in client.get("/inloggen/instellen/").content.decode()
    response = client.post("/inloggen/instellen/", {"code": code(device)})
    assert response["Location"] == "/account/tweestaps/herstelcodes/"
    assert logged_in_as(client) == "lars"
    device.refresh_from_db()
    assert device.confirmed
    codes = list(StaticToken.objects.filter(device__user=world.lars).values_list("token", flat=True))
    assert len(codes) == twofactor.RECOVERY_CODES
    shown = client.get("/account/tweestaps/herstelcodes/").content.decode()
    assert all(c in shown for c in codes) and 'href="/budget/"' in shown
    # Once only.
    assert not any(c in client.get("/account/tweestaps/herstelcodes/").content.decode() for c in codes)


def test_enrolment_with_a_wrong_code_says_so_and_switches_nothing_on(world, client, clock):
    password(client, "lars")
    client.get("/inloggen/instellen/")
    device = TOTPDevice.objects.get(user=world.lars)
    response = client.post("/inloggen/instellen/", {"code": code(device, steps=3)})
    assert "Code: Deze code klopt niet" in response.content.decode()
    assert client.post("/inloggen/instellen/", {"code": ""}).content.decode().count("Code: Typ de code") == 1
    device.refresh_from_db()
    assert not device.confirmed and logged_in_as(client) is None


def test_enrolment_cannot_replace_a_device_with_the_password_alone(world, client, clock):
    enrol(world.lars)
    password(client, "lars")
    assert client.get("/inloggen/instellen/")["Location"] == "/inloggen/code/"
    assert TOTPDevice.objects.filter(user=world.lars).count() == 1


def test_a_new_enrolment_session_gets_a_new_secret(world, client, clock):
    password(client, "lars")
    client.get("/inloggen/instellen/")
    first = TOTPDevice.objects.get(user=world.lars).key
    other = Client()
    password(other, "lars")
    other.get("/inloggen/instellen/")
    assert TOTPDevice.objects.get(user=world.lars).key != first


def test_worker_switches_it_on_from_her_account_page(world, client_for, clock):
    client = client_for(world.alice)
    # The link beside "log out" leads to her own two-factor page.
    assert 'href="/account/tweestaps/"' in client.get("/", follow=True).content.decode()
    assert "staat uit" in client.get("/account/tweestaps/").content.decode()
    client.get("/account/tweestaps/instellen/")
    device = TOTPDevice.objects.get(user=world.alice)
    response = client.post("/account/tweestaps/instellen/", {"code": code(device)})
    assert response["Location"] == "/account/tweestaps/herstelcodes/"
    assert twofactor.has_device(world.alice)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # From now on her password alone is not enough.
    assert password(Client(), "alice")["Location"] == "/inloggen/code/"


# --- recovery codes, reset, audit ---------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(world, client, clock):
    device, old = enrol(world.alice)
    password(client, "alice")
    second_step(client, code(device))
    assert (
        client.post("/account/tweestaps/herstelcodes/nieuw/")["Location"]
        == "/account/tweestaps/herstelcodes/"
    )
    new = set(StaticToken.objects.filter(device__user=world.alice).values_list("token", flat=True))
    assert len(new) == twofactor.RECOVERY_CODES and not new & set(old)


def test_new_recovery_codes_need_a_session_that_passed_the_second_step(world, client_for):
    enrol(world.alice)
    assert client_for(world.alice).post("/account/tweestaps/herstelcodes/nieuw/").status_code == 403


def test_changes_are_audited_without_secrets(world, client, clock):
    password(client, "lars")
    client.get("/inloggen/instellen/")
    device = TOTPDevice.objects.get(user=world.lars)
    client.post("/inloggen/instellen/", {"code": code(device)})
    rows = AccessLog.objects.filter(object_type="accounts.user", object_id=str(world.lars.pk))
    assert {r.purpose for r in rows} >= {"two-factor enrolment started", "two-factor switched on"}
    assert all(r.user == world.lars and r.municipality == world.eindhoven for r in rows)
    tokens = StaticToken.objects.filter(device__user=world.lars).values_list("token", flat=True)
    dumped = str([(r.purpose, r.changes, r.path) for r in rows])
    assert device.key not in dumped and not any(t in dumped for t in tokens)


@pytest.fixture
def adam(world, client_for):
    world.adam.is_staff = True
    world.adam.save(update_fields=["is_staff"])
    return client_for(world.adam)


def test_admin_resets_two_factor_of_a_user_of_own_municipality(world, adam):
    enrol(world.lars)
    data = {"action": "reset_twofactor", "_selected_action": [str(world.lars.pk)]}
    assert adam.post("/beheer/accounts/user/", data).status_code == 302
    assert not twofactor.has_device(world.lars) and twofactor.recovery_codes_left(world.lars) == 0
    row = AccessLog.objects.get(purpose="two-factor reset")
    assert row.user == world.adam and row.object_id == str(world.lars.pk)
    # Lars sets it up again at his next login.
    assert password(Client(), "lars")["Location"] == "/inloggen/instellen/"


def test_admin_cannot_reset_a_user_of_another_municipality(world, adam):
    enrol(world.carol)
    data = {"action": "reset_twofactor", "_selected_action": [str(world.carol.pk)]}
    adam.post("/beheer/accounts/user/", data)
    assert twofactor.has_device(world.carol)
    assert not AccessLog.objects.filter(purpose="two-factor reset").exists()


def test_the_admin_login_page_sends_to_our_login(world, client, client_for, adam):
    response = client.get("/beheer/login/?next=/beheer/accounts/")
    assert response["Location"] == "/inloggen/?next=%2Fbeheer%2Faccounts%2F"
    # Its form cannot be used to log in with the password alone.
    response = client.post("/beheer/login/", {"username": "adam", "password": PASSWORD})
    assert response.status_code == 302 and logged_in_as(client) is None
    # Logged in: staff go on to the admin, others get a 403 instead of a second login form.
    assert adam.get("/beheer/login/")["Location"] == "/beheer/"
    assert client_for(world.alice).get("/beheer/login/").status_code == 403


def test_admin_cannot_reset_a_user_who_also_works_elsewhere(world, adam):
    # Erin also does policy for Utrecht: Adam sees her, but may not change her account.
    Membership.objects.create(user=world.erin, role=Role.POLICY, municipality=world.utrecht)
    enrol(world.erin)
    data = {"action": "reset_twofactor", "_selected_action": [str(world.erin.pk)]}
    assert adam.post("/beheer/accounts/user/", data).status_code == 403
    assert twofactor.has_device(world.erin)


def test_a_superuser_must_use_two_factor_login(world, client):
    world.pat.is_superuser = True
    world.pat.save(update_fields=["is_superuser"])
    assert password(client, "pat")["Location"] == "/inloggen/instellen/"


def test_a_password_changed_during_the_code_step_ends_the_pending_login(world, client, clock):
    device, _ = enrol(world.alice)
    password(client, "alice")
    world.alice.set_password("another-password-42")
    world.alice.save()
    assert second_step(client, code(device))["Location"] == "/inloggen/"
    assert logged_in_as(client) is None
