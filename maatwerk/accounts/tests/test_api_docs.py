"""The OpenAPI document and the docs page need a login in production; in development they stay open."""

import pytest
from django.test import override_settings

from maatwerk.accounts.models import ApiToken

DOCUMENT, PAGE = "/api/v1/openapi.json", "/api/v1/docs"


@override_settings(PRODUCTION=False)
def test_in_development_document_and_page_are_open(client):
    assert client.get(DOCUMENT).status_code == 200
    assert client.get(PAGE).status_code == 200


@override_settings(PRODUCTION=True)
def test_in_production_anonymous_caller_gets_401_in_dutch_for_the_document(client):
    response = client.get(DOCUMENT)
    assert response.status_code == 401
    assert response.json()["detail"] == "Log in of stuur een geldig API-token mee."
    assert "paths" not in response.json()
    assert "no-store" in response["Cache-Control"]


@override_settings(PRODUCTION=True)
def test_in_production_anonymous_visitor_of_the_docs_page_is_sent_to_the_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/?next=/api/v1/docs")


@override_settings(PRODUCTION=True)
@pytest.mark.parametrize("path", [DOCUMENT, PAGE])
def test_in_production_a_logged_in_user_reads_document_and_page(world, client_for, path):
    assert client_for(world.alice).get(path).status_code == 200


@override_settings(PRODUCTION=True)
def test_in_production_an_api_token_reads_the_document(world, client):
    _, key = ApiToken.issue(world.alice, "codegen")
    response = client.get(DOCUMENT, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and "/api/v1/me" in response.json()["paths"]
    assert client.get(DOCUMENT, headers={"Authorization": "Bearer mw_nonsense"}).status_code == 401


@override_settings(PRODUCTION=True)
def test_in_production_a_token_of_an_inactive_user_does_not_read_the_document(world, client):
    _, key = ApiToken.issue(world.bob, "script")
    world.bob.is_active = False
    world.bob.save()
    assert client.get(DOCUMENT, headers={"Authorization": f"Bearer {key}"}).status_code == 401
