"""A real OpenID Connect provider for the tests: oidc-provider-mock in a thread on the loopback address."""

import os
import threading
from urllib.parse import urlsplit

import pytest
import requests
import werkzeug.serving
from oidc_provider_mock import app as provider_app

from maatwerk.oidc.models import GroupMapping, IdentityProvider


class Provider:
    """The running provider: its address, and its users with their claims."""

    def __init__(self, url: str):
        self.url = url

    def add_user(self, sub: str, **claims) -> None:
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10).raise_for_status()

    def authorize(self, authorize_url: str, sub: str) -> str:
        """The user logs in as `sub` on the provider's page; the address it sends them back to."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]


@pytest.fixture(scope="session")
def oidc_provider():
    # The mock refuses plain http unless told otherwise (authlib's check); the tests stay on 127.0.0.1.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    server = werkzeug.serving.make_server("127.0.0.1", 0, provider_app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    # The socket listens from make_server on, so this first request is answered once the thread serves.
    requests.get(f"{url}/.well-known/openid-configuration", timeout=10).raise_for_status()
    yield Provider(url)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def eindhoven_provider(world, oidc_provider) -> IdentityProvider:
    """Eindhoven's provider, found by discovery, with workers of team A mapped from "wijkteam-a"."""
    provider = IdentityProvider.objects.create(
        municipality=world.eindhoven,
        enabled=True,
        label="Inloggen met Eindhoven-account",
        issuer=oidc_provider.url,
        client_id="maatwerk",
        client_secret="test-secret",  # noqa: S106 (the mock accepts any secret)
    )
    GroupMapping.objects.create(provider=provider, claim_value="wijkteam-a", role="worker", team=world.team_a)
    GroupMapping.objects.create(provider=provider, claim_value="beleid", role="policy")
    return provider


def log_in_through_provider(client, provider: Provider, sub: str, code: str = "0772", next_url: str = ""):
    """The whole redirect flow with the test client on our side and real HTTP on the provider's."""
    query = {"gemeente": code} | ({"next": next_url} if next_url else {})
    start = client.get("/oidc/inloggen/", query)
    assert start.status_code == 302, start.status_code
    back = urlsplit(provider.authorize(start["Location"], sub))
    return client.get(f"{back.path}?{back.query}")
