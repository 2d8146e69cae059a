"""Logging in through the municipality's identity provider, against a real provider (oidc-provider-mock)."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY

from maatwerk.accounts.models import AccessLog, Membership, Role, User
from maatwerk.oidc.backends import BACKEND_PATH
from maatwerk.oidc.models import GroupMapping, IdentityLink, ProvidedMembership

from .conftest import log_in_through_provider

pytestmark = pytest.mark.django_db


def test_first_login_creates_a_user_with_the_mapped_role_and_team(
    client, world, eindhoven_provider, oidc_provider
):
    oidc_provider.add_user("sub-anna", email="anna@eindhoven.nl", name="Anna de Vries", groups=["wijkteam-a"])
    response = log_in_through_provider(client, oidc_provider, "sub-anna")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[BACKEND_SESSION_KEY] == BACKEND_PATH
    user = IdentityLink.objects.get(provider=eindhoven_provider, sub="sub-anna").user
    assert not user.has_usable_password()
    assert user.username.startswith("0772-") and "anna" not in user.username
    assert (user.first_name, user.last_name, user.email) == ("Anna", "de Vries", "anna@eindhoven.nl")
    assert [(m.role, m.team) for m in user.memberships.all()] == [(Role.WORKER, world.team_a)]
    # The start page is the team's, as for a worker who logged in with a password.
    assert client.get("/").url == f"/teams/{world.team_a.pk}/"
    logged = AccessLog.objects.filter(purpose__startswith="oidc: role", object_type="accounts.membership")
    assert logged.get().changes["role"] == [None, Role.WORKER]


def test_legal_checker_through_the_provider_is_not_asked_for_a_maatwerk_code(
    client, world, eindhoven_provider, oidc_provider
):
    """Two-factor login is required for legal checkers, but the identity provider asks the second factor:
    a login through it goes straight in, and the own two-factor page says the municipality handles it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    GroupMapping.objects.create(provider=eindhoven_provider, claim_value="toetsers", role=Role.LEGAL_CHECKER)
    oidc_provider.add_user("sub-lotte", name="Lotte Jansen", groups=["toetsers"])
    response = log_in_through_provider(client, oidc_provider, "sub-lotte", next_url="/budget/goedkeuren/")
    assert response.status_code == 302 and response["Location"] == "/budget/goedkeuren/"
    assert client.get("/budget/goedkeuren/").status_code == 200
    page = client.get("/account/tweestaps/").content.decode()
    assert "gemeente" in page
    assert client.get("/account/tweestaps/instellen/")["Location"] == "/account/tweestaps/"
    user = IdentityLink.objects.get(provider=eindhoven_provider, sub="sub-lotte").user
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_administrator_through_the_provider_reaches_the_admin_of_own_municipality(
    client, world, eindhoven_provider, oidc_provider
):
    GroupMapping.objects.create(provider=eindhoven_provider, claim_value="beheerders", role=Role.ADMIN)
    oidc_provider.add_user("sub-bea", name="Bea Beheer", groups=["beheerders"])
    log_in_through_provider(client, oidc_provider, "sub-bea")
    user = IdentityLink.objects.get(provider=eindhoven_provider, sub="sub-bea").user
    assert user.is_staff and not user.is_superuser
    assert client.get("/beheer/").status_code == 200
    teams = client.get("/beheer/accounts/team/").content.decode()
    assert world.team_a.name in teams and world.team_c.name not in teams  # Utrecht's team stays hidden
    assert AccessLog.objects.filter(object_type="accounts.user", changes__is_staff=[False, True]).exists()


def test_next_page_is_kept_through_the_provider(client, world, eindhoven_provider, oidc_provider):
    oidc_provider.add_user("sub-anna", groups=["wijkteam-a"])
    response = log_in_through_provider(client, oidc_provider, "sub-anna", next_url="/casussen/")
    assert response["Location"] == "/casussen/"


def test_same_email_with_another_sub_is_another_user(client, world, eindhoven_provider, oidc_provider):
    oidc_provider.add_user("sub-1", email="gedeeld@eindhoven.nl", groups=["wijkteam-a"])
    oidc_provider.add_user("sub-2", email="gedeeld@eindhoven.nl", groups=["wijkteam-a"])
    log_in_through_provider(client, oidc_provider, "sub-1")
    first = int(client.session["_auth_user_id"])
    client.logout()
    log_in_through_provider(client, oidc_provider, "sub-2")
    assert int(client.session["_auth_user_id"]) != first
    assert User.objects.filter(email="gedeeld@eindhoven.nl").count() == 2


def test_email_of_an_existing_local_user_does_not_log_in_as_that_user(
    client, world, eindhoven_provider, oidc_provider
):
    world.alice.email = "alice@eindhoven.nl"
    world.alice.save()
    oidc_provider.add_user("sub-x", email="alice@eindhoven.nl", groups=["wijkteam-a"])
    log_in_through_provider(client, oidc_provider, "sub-x")
    assert int(client.session["_auth_user_id"]) != world.alice.pk


def test_changed_email_with_the_same_sub_is_the_same_user(client, world, eindhoven_provider, oidc_provider):
    oidc_provider.add_user("sub-anna", email="anna@eindhoven.nl", groups=["wijkteam-a"])
    log_in_through_provider(client, oidc_provider, "sub-anna")
    first = int(client.session["_auth_user_id"])
    client.logout()
    oidc_provider.add_user("sub-anna", email="a.devries@eindhoven.nl", groups=["wijkteam-a"])
    log_in_through_provider(client, oidc_provider, "sub-anna")
    assert int(client.session["_auth_user_id"]) == first
    assert User.objects.get(pk=first).email == "a.devries@eindhoven.nl"


def test_user_whose_groups_map_to_no_role_gets_the_dutch_page_and_no_account(
    client, world, eindhoven_provider, oidc_provider
):
    oidc_provider.add_user("sub-nobody", email="nobody@eindhoven.nl", groups=["kantine"])
    users = User.objects.count()
    response = log_in_through_provider(client, oidc_provider, "sub-nobody")
    assert response.status_code == 403
    text = response.content.decode()
    assert "Uw account bij Eindhoven heeft nog geen rol in Maatwerk" in text
    assert "functioneel beheerder" in text
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users


def test_group_removed_at_the_provider_removes_that_role_and_keeps_manual_ones(
    client, world, eindhoven_provider, oidc_provider
):
    oidc_provider.add_user("sub-anna", groups=["wijkteam-a", "beleid"])
    log_in_through_provider(client, oidc_provider, "sub-anna")
    user = IdentityLink.objects.get(sub="sub-anna").user
    assert user.roles() == {Role.WORKER, Role.POLICY}
    # A role the administrator gave by hand is not the provider's to take away.
    manual = Membership.objects.create(user=user, role=Role.RESEARCHER, municipality=world.eindhoven)
    client.logout()
    oidc_provider.add_user("sub-anna", groups=["wijkteam-a"])
    log_in_through_provider(client, oidc_provider, "sub-anna")
    assert user.roles() == {Role.WORKER, Role.RESEARCHER}
    assert Membership.objects.filter(pk=manual.pk).exists()
    assert not ProvidedMembership.objects.filter(membership__role=Role.POLICY).exists()
    removed = AccessLog.objects.get(action=AccessLog.Action.DELETE, object_type="accounts.membership")
    assert removed.changes["role"] == [Role.POLICY, None] and removed.user is None


def test_user_who_lost_every_group_is_no_longer_let_in(client, world, eindhoven_provider, oidc_provider):
    oidc_provider.add_user("sub-anna", groups=["wijkteam-a"])
    log_in_through_provider(client, oidc_provider, "sub-anna")
    user = IdentityLink.objects.get(sub="sub-anna").user
    client.logout()
    oidc_provider.add_user("sub-anna", groups=[])
    response = log_in_through_provider(client, oidc_provider, "sub-anna")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert not user.memberships.exists()


def test_groups_of_another_municipality_are_not_read_by_this_one(
    client, world, eindhoven_provider, oidc_provider
):
    # Utrecht's provider maps nothing; the same group name gives no role there.
    from maatwerk.oidc.models import IdentityProvider

    IdentityProvider.objects.create(
        municipality=world.utrecht,
        enabled=True,
        label="Utrecht",
        issuer=oidc_provider.url,
        client_id="u",
        client_secret="s",  # noqa: S106
    )
    oidc_provider.add_user("sub-anna", groups=["wijkteam-a"])
    response = log_in_through_provider(client, oidc_provider, "sub-anna", code="0344")
    assert response.status_code == 403
    assert "Uw account bij Utrecht" in response.content.decode()


def test_disabled_or_unknown_municipality_cannot_start_a_login(client, world, eindhoven_provider):
    assert client.get("/oidc/inloggen/", {"gemeente": "0344"}).status_code == 404
    eindhoven_provider.enabled = False
    eindhoven_provider.save()
    assert client.get("/oidc/inloggen/", {"gemeente": "0772"}).status_code == 404


def test_denied_at_the_provider_returns_to_the_login_page_with_a_message(client, world, eindhoven_provider):
    client.get("/oidc/inloggen/", {"gemeente": "0772"})
    state = next(iter(client.session["oidc_states"]))
    response = client.get("/oidc/terug/", {"error": "access_denied", "state": state}, follow=True)
    assert response.redirect_chain[-1][0] == "/inloggen/"
    assert "niet gelukt" in response.content.decode()


def test_login_page_lists_only_enabled_providers(client, world, eindhoven_provider):
    page = client.get("/inloggen/", {"next": "/casussen/"}).content.decode()
    assert "Inloggen met Eindhoven-account" in page
    assert "/oidc/inloggen/?gemeente=0772&amp;next=%2Fcasussen%2F" in page
    eindhoven_provider.enabled = False
    eindhoven_provider.save()
    assert "Eindhoven-account" not in client.get("/inloggen/").content.decode()


def test_without_providers_the_login_page_and_password_login_are_unchanged(client, world):
    from conftest import PASSWORD

    page = client.get("/inloggen/").content.decode()
    assert "oidc" not in page
    response = client.post("/inloggen/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"


def test_a_stray_callback_changes_nothing_and_logs_nobody_out(world, client_for):
    alice = client_for(world.alice)
    for query in ({}, {"error": "access_denied", "state": "x"}, {"code": "c", "state": "x"}):
        assert alice.get("/oidc/terug/", query)["Location"] == "/inloggen/"
    assert int(alice.session["_auth_user_id"]) == world.alice.pk
