"""Dutch 404, 403 and 500 pages in the app's layout, and `make run` serving them: Django shows its debug
page, which lists every URL pattern, instead of any custom 404 or 500 page while DEBUG is on (issue 11,
point 7)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views import defaults

from maatwerk.cases.tests.factories import household_case

ROOT = Path(__file__).resolve().parents[3]
LAYOUT = 'class="utrecht-page-header mw-header"'
DEBUG_PAGE = ("URLconf", "Using the URLconf", "Traceback", "technical")


def assert_our_page(response, status: int, heading: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert LAYOUT in body and f'<h1 class="utrecht-heading-1">{heading}</h1>' in body
    assert not any(word in body for word in DEBUG_PAGE)


@pytest.mark.parametrize("who", [None, "alice"])
def test_an_unknown_address_gets_the_dutch_404_page(world, client_for, client, who):
    c = client_for(getattr(world, who)) if who else client
    assert_our_page(c.get("/bestaat-niet/"), 404, "Pagina niet gevonden")


def test_a_case_of_another_team_gets_the_dutch_404_page(world, client_for):
    case = household_case(world, by=world.bob, team=world.team_b)
    response = client_for(world.alice).get(reverse("cases:detail", args=[case.pk]))
    assert_our_page(response, 404, "Pagina niet gevonden")


@pytest.mark.parametrize("debug", [False, True])
def test_a_refused_page_gets_the_dutch_403_page_also_with_debug_on(world, client_for, debug):
    with override_settings(DEBUG=debug):
        response = client_for(world.alice).get(reverse("budgets:payments"))
    assert_our_page(response, 403, "Geen toegang")


@pytest.mark.parametrize("debug", [False, True])
def test_the_500_page_is_dutch_in_the_layout_without_a_request_context(db, debug, recwarn):
    # Django's server_error renders 500.html with an empty context: no user, no navigation.
    with override_settings(DEBUG=debug):
        response = defaults.server_error(RequestFactory().get("/"))
    assert_our_page(response, 500, "Er ging iets mis")
    assert not [w for w in recwarn if "csrf_token" in str(w.message)]  # no form that cannot work


def test_an_error_in_a_view_gets_the_dutch_500_page(world, client_for, monkeypatch):
    from maatwerk.cases.views import lists

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(lists.queries, "team_workers", broken)
    c = client_for(world.alice)
    c.raise_request_exception = False
    assert_our_page(c.get(reverse("cases:list")), 500, "Er ging iets mis")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_the_demo_with_debug_off_unless_asked():
    def runserver_line(*args):
        dry_run = subprocess.run(
            ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        return next(line for line in dry_run.splitlines() if "runserver" in line)

    assert runserver_line().startswith("DEBUG=0 ")
    assert runserver_line("DEBUG=1").startswith("DEBUG=1 ")
