"""A municipality's own amount is bounded by the one maximum for money, everywhere it enters (issue 10)."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maatwerk.catalogue import services
from maatwerk.catalogue.models import CostItem, CostOverride

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


@pytest.mark.parametrize("amount", ["1e11", "99999999999.99", "10000000.00"])
def test_an_own_amount_above_the_maximum_is_refused_in_the_api(world, client_for, amount):
    response = post(client_for(world.adam), f"{API}/overrides", dict(NEW, amount=amount))
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]
    assert not CostOverride.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("10000000", "Het bedrag mag hoogstens € 9.999.999,99 zijn."),
        ("12,345", "Gebruik hoogstens twee decimalen (hele centen)."),
        ("-1", "Het bedrag kan niet negatief zijn."),
        ("NaN", "Vul een bedrag in euro's in, bijvoorbeeld 125,50."),
    ],
)
def test_the_service_refuses_a_bad_own_amount_in_dutch(world, amount, message):
    with pytest.raises(ValidationError) as caught:
        services.save_override(
            item=CostItem.objects.get(code="PW_UITK_GEM"),
            municipality=world.eindhoven,
            amount=amount,
            year=2024,
            note="Jaarrekening",
            by=world.adam,
        )
    assert caught.value.message_dict == {"amount": [message]}
    assert not CostOverride.objects.exists()


def test_the_model_clean_used_by_the_admin_form_refuses_an_amount_above_the_maximum(world):
    override = CostOverride(
        item=CostItem.objects.get(code="PW_UITK_GEM"),
        municipality=world.eindhoven,
        amount=Decimal("10000000.00"),
        year=2024,
        note="Jaarrekening",
    )
    with pytest.raises(ValidationError) as caught:
        override.full_clean()
    assert "amount" in caught.value.message_dict


def test_the_largest_own_amount_is_accepted(world):
    override, created = services.save_override(
        item=CostItem.objects.get(code="PW_UITK_GEM"),
        municipality=world.eindhoven,
        amount=Decimal("9999999.99"),
        year=2024,
        note="Jaarrekening",
        by=world.adam,
    )
    assert created and override.amount == Decimal("9999999.99")
