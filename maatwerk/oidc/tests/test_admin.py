"""/beheer/ for the identity provider and its group mapping: each administrator their own municipality."""

import pytest
from django.core.exceptions import ValidationError

from conftest import make_user
from maatwerk.accounts.audit import SECRET_NEW, SECRET_OLD
from maatwerk.accounts.models import AccessLog, Role
from maatwerk.accounts.tests.test_admin_tenancy import not_found, post_data, read_form, staff
from maatwerk.oidc.models import GroupMapping, IdentityProvider

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-van-eindhoven"  # noqa: S105 (test-only)


@pytest.fixture
def providers(world):
    eindhoven = IdentityProvider.objects.create(
        municipality=world.eindhoven,
        label="Inloggen met Eindhoven-account",
        issuer="https://login.eindhoven.example",
        client_id="maatwerk",
        client_secret=SECRET,
    )
    utrecht = IdentityProvider.objects.create(
        municipality=world.utrecht, label="Utrecht", issuer="https://login.utrecht.example", client_id="mw"
    )
    return eindhoven, utrecht


@pytest.fixture
def adam(world, client_for):
    staff(world.adam)
    return client_for(world.adam)


def url(obj, suffix="change/"):
    return f"/beheer/oidc/{obj._meta.model_name}/{obj.pk}/{suffix}"


def test_admin_sees_and_changes_only_the_provider_of_own_municipality(adam, providers):
    eindhoven, utrecht = providers
    listing = adam.get("/beheer/oidc/identityprovider/").content.decode()
    assert url(eindhoven) in listing and url(utrecht) not in listing
    assert not_found(adam.get(url(utrecht)))
    form = read_form(adam.get(url(eindhoven)))
    assert form.options["municipality"] == ["", str(eindhoven.municipality_id)]
    response = adam.post(url(eindhoven), post_data(form, enabled="on"))
    assert response.status_code == 302
    eindhoven.refresh_from_db()
    assert eindhoven.enabled
    # Moving the provider to Utrecht is not a choice on offer.
    response = adam.post(url(eindhoven), post_data(form, municipality=str(utrecht.municipality_id)))
    assert response.status_code == 200 and "Selecteer een geldige keuze" in response.content.decode()


def test_client_secret_is_write_only_and_masked_in_the_log(adam, providers):
    eindhoven, _ = providers
    page = adam.get(url(eindhoven))
    assert SECRET not in page.content.decode()
    form = read_form(page)
    assert form.data["new_client_secret"] == [""]
    # An empty box keeps the secret.
    assert adam.post(url(eindhoven), post_data(form, label="Eindhoven-account")).status_code == 302
    eindhoven.refresh_from_db()
    assert eindhoven.client_secret == SECRET
    assert adam.post(url(eindhoven), post_data(form, new_client_secret="nieuw-geheim")).status_code == 302
    eindhoven.refresh_from_db()
    assert eindhoven.client_secret == "nieuw-geheim"  # noqa: S105
    logged = AccessLog.objects.filter(object_type="oidc.identityprovider").order_by("id")
    assert logged.last().changes["new_client_secret"] == [SECRET_OLD, SECRET_NEW]
    assert all("nieuw-geheim" not in str(row.changes) and SECRET not in str(row.changes) for row in logged)
    # Deleting leaves no copy of the secret in the log either.
    assert adam.post(url(eindhoven, "delete/"), {"post": "yes"}).status_code == 302
    assert "nieuw-geheim" not in str(AccessLog.objects.filter(action=AccessLog.Action.DELETE).get().changes)


def test_secret_from_the_environment_only_from_our_own_variables(providers, monkeypatch):
    eindhoven, _ = providers
    monkeypatch.setenv("MAATWERK_OIDC_SECRET_EINDHOVEN", "uit-de-omgeving")
    monkeypatch.setenv("DATABASE_URL", "postgres://geheim")
    eindhoven.client_secret_env = "MAATWERK_OIDC_SECRET_EINDHOVEN"
    eindhoven.full_clean()
    assert eindhoven.secret() == "uit-de-omgeving"
    eindhoven.client_secret_env = "DATABASE_URL"
    with pytest.raises(ValidationError, match="MAATWERK_OIDC_SECRET_"):
        eindhoven.full_clean()
    assert eindhoven.secret() == SECRET


def test_provider_needs_an_issuer_or_the_endpoints(world):
    provider = IdentityProvider(municipality=world.eindhoven, label="E", client_id="c")
    with pytest.raises(ValidationError, match="issuer"):
        provider.full_clean()


def test_admin_maps_groups_to_own_teams_only(adam, world, providers):
    eindhoven, utrecht = providers
    form = read_form(adam.get("/beheer/oidc/groupmapping/add/"))
    assert form.options["provider"] == ["", str(eindhoven.pk)]
    assert str(world.team_c.pk) not in form.options["team"]
    assert Role.PROGRAMME not in form.options["role"]
    data = {
        "provider": eindhoven.pk,
        "claim_value": "wijkteam-a",
        "role": Role.WORKER,
        "team": world.team_a.pk,
    }
    assert adam.post("/beheer/oidc/groupmapping/add/", data).status_code == 302
    mapping = GroupMapping.objects.get()
    assert AccessLog.objects.filter(object_type="oidc.groupmapping", municipality=world.eindhoven).exists()
    # Another municipality's team or provider is not a valid choice.
    for changes in ({"team": world.team_c.pk}, {"provider": utrecht.pk}):
        response = adam.post("/beheer/oidc/groupmapping/add/", data | {"claim_value": "x"} | changes)
        assert response.status_code == 200
    assert GroupMapping.objects.count() == 1
    # Utrecht's administrator does not see Eindhoven's mapping.
    ulla = staff(make_user("ulla", Role.ADMIN, municipality=world.utrecht))
    from django.test import Client

    other = Client()
    other.force_login(ulla, backend="django.contrib.auth.backends.ModelBackend")
    assert url(mapping) not in other.get("/beheer/oidc/groupmapping/").content.decode()
    assert not_found(other.get(url(mapping)))


def test_mapping_rules(world, providers):
    eindhoven, _ = providers
    with pytest.raises(ValidationError, match="team"):
        GroupMapping(provider=eindhoven, claim_value="w", role=Role.WORKER).full_clean()
    with pytest.raises(ValidationError, match="gemeente"):
        GroupMapping(provider=eindhoven, claim_value="w", role=Role.WORKER, team=world.team_c).full_clean()
    with pytest.raises(ValidationError):
        GroupMapping(provider=eindhoven, claim_value="w", role=Role.PROGRAMME).full_clean()
    GroupMapping.objects.create(provider=eindhoven, claim_value="beleid", role=Role.POLICY)
    with pytest.raises(ValidationError):
        GroupMapping(provider=eindhoven, claim_value="beleid", role=Role.POLICY).full_clean()
