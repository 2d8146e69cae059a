"""An expired login through a provider cannot POST (mozilla-django-oidc #504); logout ends both sessions."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from maatwerk.cases.models import Household

from .conftest import log_in_through_provider

pytestmark = pytest.mark.django_db

LIFETIME = 15 * 60  # settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS


@pytest.fixture
def anna(client, world, eindhoven_provider, oidc_provider, time_machine):
    """A worker of team A, logged in through Eindhoven's provider, with the clock standing still."""
    time_machine.move_to(timezone.now(), tick=False)
    oidc_provider.add_user("sub-anna", groups=["wijkteam-a"])
    assert log_in_through_provider(client, oidc_provider, "sub-anna").status_code == 302
    return client


def new_household(client):
    return client.post("/api/v1/households", {"name": "Visser"}, content_type="application/json")


def test_within_the_login_lifetime_a_post_saves(anna, time_machine):
    time_machine.shift(LIFETIME - 5)
    assert new_household(anna).status_code == 201
    assert Household.objects.filter(name="Visser").exists()


def test_expired_login_cannot_post_and_nothing_is_saved(anna, time_machine):
    time_machine.shift(LIFETIME + 1)
    response = new_household(anna)
    assert response.status_code == 401
    assert "verlopen" in response.json()["detail"]
    assert not Household.objects.filter(name="Visser").exists()
    # A form gets the Dutch page, and its view does not run.
    response = anna.post("/casussen/nieuw/", {"household_name": "Visser"})
    assert response.status_code == 403
    assert "Uw inlogsessie is verlopen" in response.content.decode()
    assert not Household.objects.filter(name="Visser").exists()


def test_expired_login_shows_back_what_the_refused_form_held(anna, time_machine, world):
    """Nothing lost: a note typed while the login ran out is on the refusal page, to copy."""
    time_machine.shift(LIFETIME + 1)
    note = "Gesprek met de schuldhulp: de regeling loopt <door> tot maart."
    response = anna.post("/casussen/1/notities/", {"text": note, "password": "pw-xq7-niet-tonen"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Wat u invulde" in page
    assert "Gesprek met de schuldhulp: de regeling loopt &lt;door&gt; tot maart." in page  # escaped
    assert "pw-xq7-niet-tonen" not in page
    assert page.count('id="kept-') == 1  # the note only: not the password, not the CSRF token


def test_expired_login_htmx_post_is_sent_to_the_login(anna, time_machine):
    time_machine.shift(LIFETIME + 1)
    response = anna.post(
        "/casussen/nieuw/",
        {},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/casussen/"},
    )
    assert response.status_code == 403
    assert response["HX-Redirect"] == "/oidc/inloggen/?gemeente=0772&next=%2Fcasussen%2F"


def test_expired_login_get_reauthenticates_silently_and_then_may_post(anna, time_machine, oidc_provider):
    time_machine.shift(LIFETIME + 1)
    response = anna.get("/casussen/?status=intake")
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(f"{oidc_provider.url}/oauth2/authorize?")
    assert parse_qs(urlsplit(authorize).query)["prompt"] == ["none"]
    # A provider with a session answers at once; the mock keeps none and says login_required. Then the
    # user logs in there again and comes back to the page they asked for.
    back = urlsplit(oidc_provider.authorize(authorize, "sub-anna"))
    assert parse_qs(back.query)["error"] == ["login_required"]
    again = anna.get(f"{back.path}?{back.query}")
    assert again["Location"] == "/oidc/inloggen/?gemeente=0772&next=%2Fcasussen%2F%3Fstatus%3Dintake"
    assert "_auth_user_id" not in anna.session
    response = log_in_through_provider(anna, oidc_provider, "sub-anna", next_url="/casussen/?status=intake")
    assert response["Location"] == "/casussen/?status=intake"
    assert new_household(anna).status_code == 201


def test_expired_login_while_the_provider_is_down_ends_with_a_dutch_message_not_an_error(
    anna, eindhoven_provider, time_machine
):
    from django.core.cache import cache

    cache.clear()  # the discovery document is cached for an hour
    eindhoven_provider.issuer = "http://127.0.0.1:9"  # nothing listens there
    eindhoven_provider.save()
    time_machine.shift(LIFETIME + 1)
    response = anna.get("/casussen/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/inloggen/"
    assert "Inloggen via Eindhoven lukt nu niet" in response.content.decode()
    assert "_auth_user_id" not in anna.session


def test_a_providers_own_lifetime_counts(anna, eindhoven_provider, time_machine, oidc_provider):
    eindhoven_provider.renew_after_seconds = 60
    eindhoven_provider.save()
    anna.logout()
    log_in_through_provider(anna, oidc_provider, "sub-anna")
    time_machine.shift(61)
    assert new_household(anna).status_code == 401


def test_switching_the_provider_off_ends_its_logins(anna, eindhoven_provider, time_machine):
    eindhoven_provider.enabled = False
    eindhoven_provider.save()
    time_machine.shift(LIFETIME + 1)
    assert new_household(anna).status_code == 401
    assert "_auth_user_id" not in anna.session


def test_a_local_login_is_not_held_up(world, client_for, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    alice = client_for(world.alice)
    time_machine.shift(LIFETIME * 4)
    assert new_household(alice).status_code == 201


def test_logout_ends_our_session_and_the_providers(anna, oidc_provider, time_machine):
    id_token = anna.session["oidc_id_token"]
    time_machine.shift(LIFETIME + 1)  # an expired login may still log out
    response = anna.post("/uitloggen/")
    # A page that moves on by itself (the CSP lets forms post only to ourselves, redirects included).
    assert response.status_code == 200
    assert (
        f'http-equiv="refresh" content="0;url={response.context["end_session_url"]}'
        in response.content.decode().replace("&amp;", "&")
    )
    end_session = urlsplit(response.context["end_session_url"])
    assert (
        f"{end_session.scheme}://{end_session.netloc}{end_session.path}"
        == f"{oidc_provider.url}/oauth2/end_session"
    )
    query = parse_qs(end_session.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/inloggen/"]
    assert "_auth_user_id" not in anna.session
    assert anna.get("/casussen/").status_code == 302


def test_logout_of_a_local_login_is_unchanged(world, client_for):
    alice = client_for(world.alice)
    response = alice.post("/uitloggen/")
    assert response.status_code == 302 and response["Location"] == "/inloggen/"
    assert "_auth_user_id" not in alice.session
