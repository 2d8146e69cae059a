import pytest
from django.urls import reverse

from conftest import PASSWORD
from maatwerk.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_correct_password_logs_in(world, client):
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.get("/api/v1/me").json()["username"] == "alice"


def test_wrong_password_shows_dutch_error(world, client):
    response = login(client, "alice", "wrong-password")
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()


def test_five_wrong_passwords_lock_the_account(world, client):
    for _ in range(4):
        assert login(client, "alice", "wrong-password").status_code == 200
    # The fifth failure trips the lock ...
    assert login(client, "alice", "wrong-password").status_code == 429
    # ... and from then on even the right password is refused.
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "geblokkeerd" in response.content.decode()
    # Another account is not affected.
    assert login(client, "bob", PASSWORD).status_code == 302


def test_four_wrong_passwords_do_not_lock(world, client):
    for _ in range(4):
        login(client, "alice", "wrong-password")
    assert login(client, "alice", PASSWORD).status_code == 302


def test_logout_requires_post_and_ends_session(world, client):
    login(client, "alice", PASSWORD)
    client.post(reverse("logout"))
    assert client.get("/api/v1/me").status_code == 401


def test_api_me_lists_memberships_and_roles(world, client_for):
    data = client_for(world.dave).get("/api/v1/me").json()
    assert data["roles"] == ["team_lead"]
    assert data["memberships"][0]["team"] == "Wijkteam A"
    assert data["memberships"][0]["municipality"] == "Eindhoven"


def test_api_requires_authentication(world, client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401


def test_api_token_authentication(world, client):
    token, key = ApiToken.issue(world.bob, "script")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["username"] == "bob"
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Only the hash is stored.
    assert key not in token.key_hash


def test_api_bad_token_is_refused(world, client):
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer mw_nonsense").status_code == 401


def test_api_token_of_inactive_user_is_refused(world, client):
    _, key = ApiToken.issue(world.bob, "script")
    world.bob.is_active = False
    world.bob.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_openapi_document_is_served(world, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]
