"""The demo's administrators and legality checkers must use two-factor login too: the demo gives them an app
device and `demo_code` prints its code, for demo logins only and never in production."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from maatwerk.accounts import twofactor
from maatwerk.accounts.models import User
from maatwerk.demo.management.commands.demo import Command as DemoCommand
from maatwerk.demo.organisation import ensure_organisation
from maatwerk.demo.twofactor import ensure_devices

pytestmark = pytest.mark.django_db


def demo_code(username: str) -> str:
    out = io.StringIO()
    call_command("demo_code", username, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_demo_admins_and_legal_checkers_get_an_app_device_once():
    ensure_organisation()
    assert ensure_devices() == 18  # nine municipalities, an administrator and a legality checker each
    users = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True))
    assert {"zaanstad.admin", "zaanstad.legal_checker"} <= users
    assert not users & {"zaanstad.worker", "zaanstad.policy", "landelijk.programme"}
    keys = set(TOTPDevice.objects.values_list("key", flat=True))
    assert ensure_devices() == 0 and set(TOTPDevice.objects.values_list("key", flat=True)) == keys


def test_the_printed_code_logs_the_demo_admin_in():
    ensure_organisation()
    ensure_devices()
    client = Client()
    response = client.post("/inloggen/", {"username": "eindhoven.admin", "password": settings.DEMO_PASSWORD})
    assert response["Location"] == "/inloggen/code/"
    assert client.post("/inloggen/code/", {"code": demo_code("eindhoven.admin")}).status_code == 302
    assert client.get("/api/v1/me").json()["username"] == "eindhoven.admin"


def test_the_logins_list_marks_who_needs_a_code():
    logins = ensure_organisation()
    ensure_devices()
    command = DemoCommand(stdout=io.StringIO())
    command.print_logins(logins)
    lines = command.stdout._out.getvalue().splitlines()
    assert any(line.startswith("* eindhoven.admin ") for line in lines)
    assert any(line.startswith("  eindhoven.worker ") for line in lines)
    assert any("demo_code" in line for line in lines)


def test_demo_code_refuses_a_user_who_is_not_a_demo_login(world):
    ensure_organisation()
    twofactor.enrol_directly(world.adam, by=None, purpose="test")
    with pytest.raises(CommandError, match="not a demo login"):
        demo_code("adam")
    # A real account given a demo login's name is not one either (no demo address).
    real = User.objects.get(username="delft.admin")
    real.email = "beheer@delft.nl"
    real.save(update_fields=["email"])
    ensure_devices()
    with pytest.raises(CommandError, match="not a demo login"):
        demo_code("delft.admin")


def test_demo_code_never_runs_in_production(settings):
    ensure_organisation()
    ensure_devices()
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        demo_code("eindhoven.admin")
