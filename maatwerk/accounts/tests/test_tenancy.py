import pytest
from django.urls import reverse

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import AccessLog, Team

pytestmark = pytest.mark.django_db


def test_worker_sees_own_team_page(world, client_for):
    response = client_for(world.alice).get(reverse("team", args=[world.team_a.pk]))
    assert response.status_code == 200
    assert "Wijkteam A" in response.content.decode()


def test_worker_of_other_team_gets_404(world, client_for):
    response = client_for(world.alice).get(reverse("team", args=[world.team_b.pk]))
    assert response.status_code == 404


def test_worker_of_other_municipality_gets_404(world, client_for):
    response = client_for(world.carol).get(reverse("team", args=[world.team_a.pk]))
    assert response.status_code == 404


def test_api_worker_of_other_team_gets_404(world, client_for):
    c = client_for(world.alice)
    assert c.get(f"/api/v1/teams/{world.team_a.pk}").status_code == 200
    assert c.get(f"/api/v1/teams/{world.team_b.pk}").status_code == 404
    assert c.get(f"/api/v1/teams/{world.team_c.pk}").status_code == 404


def test_api_other_municipality_gets_404(world, client_for):
    assert client_for(world.carol).get(f"/api/v1/teams/{world.team_a.pk}").status_code == 404


def test_api_team_list_is_scoped(world, client_for):
    ids = {t["id"] for t in client_for(world.alice).get("/api/v1/teams").json()}
    assert ids == {world.team_a.pk}


def test_policy_sees_teams_of_own_municipality_only(world):
    visible = set(
        tenancy.scope(
            Team.objects.all(), world.erin, team_field="pk", municipality_roles={"policy"}
        ).values_list("pk", flat=True)
    )
    assert visible == {world.team_a.pk, world.team_b.pk}


def test_user_without_memberships_sees_nothing(world):
    assert not tenancy.scope(Team.objects.all(), world.pat, team_field="pk").exists()


def test_reading_a_team_page_writes_access_log(world, client_for):
    client_for(world.alice).get(reverse("team", args=[world.team_a.pk]))
    entry = AccessLog.objects.get(object_type="accounts.team", object_id=str(world.team_a.pk))
    assert entry.user == world.alice
    assert entry.action == AccessLog.Action.READ


def test_anonymous_user_is_sent_to_login(world, client):
    response = client.get(reverse("team", args=[world.team_a.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_worker_home_redirects_to_own_team(world, client_for):
    response = client_for(world.alice).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("team", args=[world.team_a.pk])
