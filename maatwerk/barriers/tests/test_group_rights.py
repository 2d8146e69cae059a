"""National barrier groups belong to the programme (issue #10, point 5): policy groups its own
municipality's barriers only, and never renames, removes or fills a group holding another municipality's
barrier; the same rule in the service, the pages and the API."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from maatwerk.barriers import services
from maatwerk.barriers.models import Barrier, BarrierGroup

from .factories import childcare_barrier

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(world):
    """A national group (Eindhoven + Utrecht, by pat), then an Eindhoven-only group (by erin), and two
    ungrouped Eindhoven barriers."""
    ehv_national = childcare_barrier(world, title="Eindhoven, in het landelijke signaal")
    utrecht = childcare_barrier(world, by=world.carol, title="Utrecht, in het landelijke signaal")
    national = services.merge_into_group([ehv_national, utrecht], by=world.pat, title="Landelijk signaal")
    own_a = childcare_barrier(world, by=world.bob, title="Eigen A")
    own_b = childcare_barrier(world, by=world.dave, title="Eigen B")
    local = services.merge_into_group([own_a, own_b], by=world.erin, title="Eindhovens signaal")
    loose = [childcare_barrier(world, title=f"Los {i}") for i in (1, 2)]
    return national, local, ehv_national, utrecht, own_a, loose


def _state():
    return sorted(BarrierGroup.objects.values_list("pk", "title")), sorted(
        Barrier.objects.values_list("pk", "group_id")
    )


def test_policy_cannot_rename_a_national_group(world, groups):
    national, _, ehv_national, *_, loose = groups
    before = _state()
    with pytest.raises(PermissionDenied):
        services.merge_into_group([ehv_national, loose[0]], by=world.erin, title="Hernoemd door erin")
    assert _state() == before


def test_policy_cannot_add_its_barriers_to_a_national_group(world, groups):
    national, local, ehv_national, _, own_a, _ = groups
    before = _state()
    # The national group is the older one: the merge would move erin's local group into it.
    with pytest.raises(PermissionDenied):
        services.merge_into_group([own_a, ehv_national], by=world.erin)
    assert _state() == before
    assert BarrierGroup.objects.filter(pk=national.pk).exists()


def test_policy_cannot_remove_a_national_group_or_move_another_municipalitys_barrier(world, groups):
    national, local, ehv_national, utrecht, own_a, loose = groups
    # An older Eindhoven-only group: the merge would delete the national group and move its Utrecht
    # barrier into erin's.
    local.created_at = national.created_at.replace(year=national.created_at.year - 1)
    local.save()
    with pytest.raises(PermissionDenied):
        services.merge_into_group([own_a, ehv_national], by=world.erin, title="Alles bij ons")
    utrecht.refresh_from_db()
    assert utrecht.group_id == national.pk
    assert BarrierGroup.objects.filter(pk=local.pk).exists()
    assert BarrierGroup.objects.get(pk=national.pk).title == "Landelijk signaal"


def test_policy_still_groups_its_own_municipality(world, groups):
    _, local, _, _, own_a, loose = groups
    group = services.merge_into_group([own_a, *loose], by=world.erin, title="Eindhovens signaal, groter")
    assert group == local
    assert set(group.barriers.values_list("title", flat=True)) == {"Eigen A", "Eigen B", "Los 1", "Los 2"}


def test_programme_merges_renames_and_removes_groups_across_municipalities(world, groups):
    national, local, ehv_national, utrecht, own_a, _ = groups
    group = services.merge_into_group([own_a, utrecht], by=world.pat, title="Samen")
    assert group == national and group.title == "Samen"
    assert not BarrierGroup.objects.filter(pk=local.pk).exists()
    assert Barrier.objects.filter(group=national).count() == 4


def test_rule_refuses_policy_of_another_municipality_and_workers(world, groups):
    _, _, _, _, own_a, loose = groups
    for user in (world.alice, world.lars):
        with pytest.raises(PermissionDenied):
            services.check_grouping(user, [own_a, *loose])
    services.check_grouping(world.erin, [own_a, *loose])
    services.check_grouping(world.pat, [own_a, *loose])


def test_policy_merging_into_a_national_group_in_the_page_gets_403(world, groups, client_for):
    national, _, ehv_national, *_, loose = groups
    before = _state()
    response = client_for(world.erin).post(
        reverse("barriers:merge"), {"barrier": [ehv_national.pk, loose[0].pk], "title": "Hernoemd"}
    )
    assert response.status_code == 403
    assert _state() == before


def test_policy_merging_into_a_national_group_in_the_api_gets_403(world, groups, client_for):
    national, _, ehv_national, _, own_a, loose = groups
    before = _state()
    for ids in ([ehv_national.pk, loose[0].pk], [own_a.pk, ehv_national.pk]):
        response = client_for(world.erin).post(
            "/api/v1/barriers/groups",
            {"barrier_ids": ids, "title": "Hernoemd"},
            content_type="application/json",
        )
        assert response.status_code == 403, response.content
        assert "landelijk programma" in response.json()["detail"]
    assert _state() == before


def test_policy_groups_its_own_barriers_in_the_page_and_the_api(world, groups, client_for):
    _, local, _, _, own_a, loose = groups
    c = client_for(world.erin)
    response = c.post(reverse("barriers:merge"), {"barrier": [own_a.pk, loose[0].pk]})
    assert response.status_code == 302
    response = c.post(
        "/api/v1/barriers/groups", {"barrier_ids": [own_a.pk, loose[1].pk]}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Barrier.objects.filter(group=local).count() == 4


def test_policy_cannot_empty_a_national_group_into_its_own_in_the_page_or_the_api(world, groups, client_for):
    national, local, ehv_national, utrecht, own_a, _ = groups
    # The Eindhoven-only group is the older: merging would delete the national group and move Utrecht's
    # barrier into erin's group.
    BarrierGroup.objects.filter(pk=local.pk).update(created_at=national.created_at.replace(year=2000))
    before = _state()
    c = client_for(world.erin)
    assert c.post(reverse("barriers:merge"), {"barrier": [own_a.pk, ehv_national.pk]}).status_code == 403
    response = c.post(
        "/api/v1/barriers/groups",
        {"barrier_ids": [own_a.pk, ehv_national.pk]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert _state() == before
    utrecht.refresh_from_db()
    assert utrecht.group_id == national.pk
