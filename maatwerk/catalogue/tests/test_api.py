"""Catalogue API: who may read items, and who may manage a municipality's own amounts."""

import json
from decimal import Decimal

import pytest

from maatwerk.accounts.models import AccessLog, Membership, Role
from maatwerk.catalogue.models import CostItem, CostOverride
from maatwerk.catalogue.services import current_amount, current_price_year, price_index
from maatwerk.lib.prices import uprate

API = "/api/v1/catalogue"
NEW = {
    "item_code": "PW_UITK_GEM",
    "amount": "15250.00",
    "year": 2024,
    "note": "Jaarrekening 2024",
    "source_url": "https://www.eindhoven.nl/jaarrekening-2024",
}


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def put(client, url, data):
    return client.put(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def override(world):
    return CostOverride.objects.create(
        municipality=world.eindhoven,
        item=CostItem.objects.get(code="PW_UITK_GEM"),
        amount=Decimal("15250.00"),
        year=2024,
        source_url="https://www.eindhoven.nl/jaarrekening-2024",
    )


def test_items_list_with_filters_and_current_amount(world, client_for):
    response = client_for(world.alice).get(
        f"{API}/items", {"domain": "huisvesting", "payer": "woningcorporatie"}
    )
    assert response.status_code == 200
    items = response.json()
    assert [i["code"] for i in items] == ["HUISUITZ_DIRECT"]
    item = items[0]
    index = price_index()
    year = current_price_year(index)
    assert item["current_year"] == year
    assert Decimal(item["current_amount"]) == uprate(Decimal("7500"), 2014, year, index)
    assert item["source_url"].startswith("https://eropaf.nl/")
    assert item["confidence"] == "B" and item["override"] is False


def test_items_search_and_confidence(world, client_for):
    c = client_for(world.dave)
    assert [i["code"] for i in c.get(f"{API}/items", {"q": "cjib"}).json()] == ["CJIB_ADMIN"]
    assert all(i["confidence"] == "C" for i in c.get(f"{API}/items", {"confidence": "C"}).json())


def test_one_item_and_unknown_code(world, client_for):
    c = client_for(world.lars)
    assert c.get(f"{API}/items/MO_PLEK").json()["amount"] == "15000.00"
    assert c.get(f"{API}/items/NOPE").status_code == 404


@pytest.mark.parametrize("who", ["pat", "rita"])
def test_roles_without_the_overview_cannot_read_items(world, client_for, who):
    assert client_for(getattr(world, who)).get(f"{API}/items").status_code == 403


def test_anonymous_gets_401(client, db):
    assert client.get(f"{API}/items").status_code == 401


def test_override_flag_only_for_own_municipality(world, client_for, override):
    mine = client_for(world.alice).get(f"{API}/items/PW_UITK_GEM").json()
    assert mine["override"] is True and mine["amount"] == "15250.00" and mine["national_amount"] == "14000.00"
    theirs = client_for(world.carol).get(f"{API}/items/PW_UITK_GEM").json()
    assert theirs["override"] is False and theirs["amount"] == "14000.00"


def test_admin_creates_changes_and_deletes_own_override_with_audit(world, client_for):
    c = client_for(world.adam)
    response = post(c, f"{API}/overrides", NEW)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["municipality_id"] == world.eindhoven.pk
    assert post(c, f"{API}/overrides", NEW).status_code == 422  # one per item; change the existing one

    response = put(c, f"{API}/overrides/{created['id']}", dict(NEW, amount="15300.10"))
    assert response.status_code == 200
    assert CostOverride.objects.get().amount == Decimal("15300.10")
    assert [o["id"] for o in c.get(f"{API}/overrides").json()] == [created["id"]]

    assert c.delete(f"{API}/overrides/{created['id']}").status_code == 204
    assert not CostOverride.objects.exists()
    actions = list(
        AccessLog.objects.filter(object_type="catalogue.costoverride")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]
    assert AccessLog.objects.filter(municipality=world.eindhoven, user=world.adam).count() == 3


def test_override_needs_a_source(world, client_for):
    response = post(client_for(world.adam), f"{API}/overrides", dict(NEW, source_url="", note=""))
    assert response.status_code == 422
    assert "source_url" in response.json()["errors"]


def test_override_rejects_bad_amounts(world, client_for):
    c = client_for(world.adam)
    assert post(c, f"{API}/overrides", dict(NEW, amount="-1")).status_code == 422
    assert post(c, f"{API}/overrides", dict(NEW, amount="1.005")).status_code == 422
    assert post(c, f"{API}/overrides", dict(NEW, year=1800)).status_code == 422


@pytest.mark.parametrize("who", ["alice", "dave", "lars", "erin"])
def test_non_admins_cannot_create_overrides(world, client_for, who):
    assert post(client_for(getattr(world, who)), f"{API}/overrides", NEW).status_code == 403
    assert not CostOverride.objects.exists()


def test_admin_of_other_municipality_gets_404(world, client_for, override):
    utrecht_admin = world.carol.__class__.objects.create_user(username="uma", password="x" * 12)
    Membership.objects.create(user=utrecht_admin, role=Role.ADMIN, municipality=world.utrecht)
    c = client_for(utrecht_admin)
    assert put(c, f"{API}/overrides/{override.pk}", dict(NEW, amount="1.00")).status_code == 404
    assert c.delete(f"{API}/overrides/{override.pk}").status_code == 404
    assert post(c, f"{API}/overrides", dict(NEW, municipality_id=world.eindhoven.pk)).status_code == 404
    assert c.get(f"{API}/overrides").json() == []
    assert CostOverride.objects.get().amount == Decimal("15250.00")


def test_current_amount_for_the_business_case_editor(world, override):
    index = price_index()
    year = current_price_year(index)
    mine = current_amount("PW_UITK_GEM", world.eindhoven)
    assert (mine.amount, mine.year, mine.source_url) == (
        uprate(Decimal("15250.00"), 2024, year, index),
        year,
        "https://www.eindhoven.nl/jaarrekening-2024",
    )
    assert mine.is_override and mine.national_amount == Decimal("14000.00")
    national = current_amount(CostItem.objects.get(code="PW_UITK_GEM"), world.utrecht)
    assert national.amount == uprate(Decimal("14000"), 2018, year, index) and not national.is_override
    assert current_amount("PW_UITK_GEM", None).amount == national.amount


def test_openapi_lists_the_catalogue(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/catalogue/items" in paths
    assert "/api/v1/catalogue/overrides/{override_id}" in paths
