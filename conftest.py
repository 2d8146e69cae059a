"""Shared test fixtures: a small world of named people, after healthchecks' hc/test.py.

Eindhoven has team A (alice, worker; dave, team lead) and team B (bob, worker); Utrecht has team C (carol,
worker). Erin does policy for Eindhoven, Lars checks legality in Eindhoven, Pat works for the national
programme, Rita researches in Eindhoven and Adam administers Eindhoven.
"""

from dataclasses import dataclass

import pytest

from maatwerk.accounts.models import Membership, Municipality, Role, Team, User

PASSWORD = "correct-horse-battery-7"  # noqa: S105 (test-only password)


@dataclass
class World:
    eindhoven: Municipality
    utrecht: Municipality
    team_a: Team
    team_b: Team
    team_c: Team
    alice: User
    bob: User
    carol: User
    dave: User
    erin: User
    lars: User
    pat: User
    rita: User
    adam: User


def make_user(
    username: str, role: str, *, team: Team | None = None, municipality: Municipality | None = None
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username.title())
    Membership.objects.create(
        user=user, role=role, team=team, municipality=municipality or (team and team.municipality)
    )
    return user


def build_world() -> World:
    eindhoven = Municipality.objects.create(name="Eindhoven", code="0772")
    utrecht = Municipality.objects.create(name="Utrecht", code="0344")
    team_a = Team.objects.create(municipality=eindhoven, name="Wijkteam A")
    team_b = Team.objects.create(municipality=eindhoven, name="Wijkteam B")
    team_c = Team.objects.create(municipality=utrecht, name="Wijkteam C")
    return World(
        eindhoven=eindhoven,
        utrecht=utrecht,
        team_a=team_a,
        team_b=team_b,
        team_c=team_c,
        alice=make_user("alice", Role.WORKER, team=team_a),
        bob=make_user("bob", Role.WORKER, team=team_b),
        carol=make_user("carol", Role.WORKER, team=team_c),
        dave=make_user("dave", Role.TEAM_LEAD, team=team_a),
        erin=make_user("erin", Role.POLICY, municipality=eindhoven),
        lars=make_user("lars", Role.LEGAL_CHECKER, municipality=eindhoven),
        pat=make_user("pat", Role.PROGRAMME),
        rita=make_user("rita", Role.RESEARCHER, municipality=eindhoven),
        adam=make_user("adam", Role.ADMIN, municipality=eindhoven),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns a test client logged in as that user."""
    from django.test import Client

    def login(user: User) -> Client:
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return login


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background tasks run at once, in the test's own transaction: no worker needed.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT = 30_000  # ms, for every action, navigation and expect() assertion (Playwright's default)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download; `make test` installs chromium)."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's ORM then refuses to run
    # in the test thread unless told that this is not really async code (Playwright's own advice).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium") or CHROMIUM
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def new_page(browser, base_url: str):
    """A page in a fresh browser context (its own cookies: one user's session); close its `.context`.
    Dutch, like our users; `page.base_url` is the live server."""
    from playwright.sync_api import expect

    # A busy CI machine (two cores, two test workers, a Chromium each) needs more than expect()'s 5 s
    # default for an assertion to come true; a real failure still fails, only later.
    expect.set_options(timeout=BROWSER_TIMEOUT)
    context = browser.new_context(locale="nl-NL", base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT)
    page.base_url = base_url
    return page


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; `page.base_url` is the live server."""
    page = new_page(browser, live_server.url)
    yield page
    page.context.close()


# htmx.min.js is a deferred script and sets up the page's hx- attributes on DOMContentLoaded. Until then a
# change to a filter fires no request at all: the flaky cost-overview test of #10 chose a life domain on a
# page that had not finished loading. The "load" event comes after DOMContentLoaded; .htmx-request,
# .htmx-swapping and .htmx-settling mark an htmx request, swap or settle under way.
HTMX_IDLE = """() => document.readyState === "complete"
    && (window.htmx !== undefined || !document.querySelector("script[src*='htmx']"))
    && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")"""


def htmx_ready(page) -> None:
    """Wait until the page has loaded, htmx has set it up, and no htmx request or swap is under way.

    A request that htmx still delays (hx-trigger "delay:") is not visible here: wait for its result.
    """
    page.wait_for_function(HTMX_IDLE)


def click_and_load(page, target) -> None:
    """Click a link or submit button that loads another page, and wait until that page is ready for use."""
    with page.expect_navigation():
        target.click()
    htmx_ready(page)


class Authenticator:
    """The authenticator app on the test users' phones: it keeps the secret each user scanned at enrolment
    and shows the current code. A code is good once (django-otp remembers the last time step used), so a
    second login within the same 30 seconds takes the next step's code, as django-otp's tolerance of one
    step allows, instead of waiting for the clock as a person would."""

    def __init__(self):
        self.secrets: dict[str, bytes] = {}
        self.last_step: dict[bytes, int] = {}

    def scan(self, username: str, secret_text: str) -> None:
        import base64

        self.secrets[username] = base64.b32decode("".join(secret_text.split()))

    def code(self, username: str) -> str:
        import time

        from django_otp.oath import TOTP

        key = self.secrets.get(username)
        if key is None:  # enrolled outside a login (the demo command): as if scanned then
            from django_otp.plugins.otp_totp.models import TOTPDevice

            key = TOTPDevice.objects.get(user__username=username, confirmed=True).bin_key
        totp = TOTP(key)
        totp.time = time.time()
        step = max(totp.t(), self.last_step.get(key, -1) + 1)
        assert step <= totp.t() + 1, "a third login of one user within 30 seconds: no code left to use"
        self.last_step[key] = step
        totp.time += (step - totp.t()) * totp.step
        return f"{totp.token():06d}"


authenticator = Authenticator()


def browser_login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page; where two-factor login applies, set it up (reading the key shown for
    manual entry) or type the code, and continue past the recovery codes."""
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    click_and_load(page, page.get_by_role("button", name="Inloggen"))
    path = page.url.removeprefix(page.base_url).split("?")[0]
    if path == "/inloggen/instellen/":
        authenticator.scan(username, page.locator("#twofactor-secret").inner_text())
        page.get_by_label("Code").fill(authenticator.code(username))
        click_and_load(page, page.get_by_role("button", name="Aanzetten"))
        click_and_load(page, page.get_by_role("link", name="Ik heb ze bewaard, verder"))
    elif path == "/inloggen/code/":
        page.get_by_label("Code").fill(authenticator.code(username))
        click_and_load(page, page.get_by_role("button", name="Inloggen"))


def client_login(client, username: str, password: str = PASSWORD):
    """browser_login for Django's test client: through the login page (django-axes needs the request) and,
    where it applies, the two-factor step. Returns the last response (a redirect to where the user goes)."""
    import re

    response = client.post("/inloggen/", {"username": username, "password": password})
    if response.status_code == 302 and response["Location"] == "/inloggen/instellen/":
        page = client.get("/inloggen/instellen/").content.decode()
        authenticator.scan(username, re.search(r'id="twofactor-secret"[^>]*>([^<]+)<', page).group(1))
        response = client.post("/inloggen/instellen/", {"code": authenticator.code(username)})
        assert response.status_code == 302, "enrolment refused the code"
        client.get(response["Location"])  # the recovery codes, shown once
    elif response.status_code == 302 and response["Location"] == "/inloggen/code/":
        response = client.post("/inloggen/code/", {"code": authenticator.code(username)})
        assert response.status_code == 302, "the code step refused the code"
    return response


@pytest.fixture(autouse=True)
def _seed_data_present(request):
    """Put the data-migration seeds (cost catalogue, price index, themes) back when a transactional test
    flushed them.

    Transactional tests (browser, concurrency) end with a flush of every table, seeds included, and with
    pytest-xdist any test may run after one on the same worker. Costs two queries per database test.
    """
    uses_db = request.node.get_closest_marker("django_db") is not None
    wanted = {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db and not wanted:
        return
    if not uses_db:
        request.getfixturevalue(wanted.pop())
    from maatwerk.catalogue.models import PriceIndex

    if not PriceIndex.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("maatwerk.catalogue.migrations.0002_seed_catalogue").load(apps, None)
    from maatwerk.cases.models import Theme

    if not Theme.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("maatwerk.cases.migrations.0005_themes").seed(apps, None)


# Every table the demo's case files fill, children first (cases PROTECT their household).
DEMO_CASE_TABLES = (
    "cases_voice_themes",  # the voices of the closings hang off the cases
    "cases_voice",
    "cases_conversation",
    "businesscases_businesscaseversion",  # the demo's business cases hang off the cases
    "businesscases_businesscase",
    "cases_followup",
    "cases_reflection",
    "cases_feedback",
    "cases_outcome",
    "cases_mdtparticipant",
    "cases_mdtconsultation",
    "cases_domainscore",
    "cases_timeentry",
    "cases_noterevision",
    "cases_note",
    "cases_statuschange",
    "cases_case",
    "cases_person",
    "cases_household",
)


def delete_demo_case_files() -> None:
    """Empty the case tables the demo fills, so that a second run starts as the first (determinism tests)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in DEMO_CASE_TABLES:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (our own table names)
