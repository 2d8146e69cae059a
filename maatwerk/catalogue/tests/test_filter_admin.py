"""The project-wide `eur` template filter, and what the Django admin lets a functional administrator do."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from maatwerk.catalogue.models import CostItem, CostOverride


def render(template: str, **context) -> str:
    return Template("{% load money %}" + template).render(Context(context))


def test_eur_filter_follows_the_active_language():
    with translation.override("nl"):
        assert render("{{ a|eur }}", a=Decimal("1234.56")) == "€ 1.234,56"
        assert render("{{ a|eur:0 }}", a=Decimal("1234.56")) == "€ 1.235"
        assert render("{{ a|eur }}", a=None) == ""
    with translation.override("en"):
        assert render("{{ a|eur }}", a=Decimal("1234.56")) == "€1,234.56"


@pytest.fixture
def staff(world):
    for user in (world.adam, world.alice):
        user.is_staff = True
        user.save()
    return world


def test_admin_sees_catalogue_but_cannot_delete_items(staff, client_for):
    c = client_for(staff.adam)
    item = CostItem.objects.get(code="MO_PLEK")
    assert c.get(f"/beheer/catalogue/costitem/{item.pk}/change/").status_code == 200
    assert c.get(f"/beheer/catalogue/costitem/{item.pk}/delete/").status_code == 403
    assert c.post(f"/beheer/catalogue/costitem/{item.pk}/change/", {}).status_code == 403


def test_admin_manages_only_own_municipality_overrides(staff, client_for):
    item = CostItem.objects.get(code="MO_PLEK")
    own = CostOverride.objects.create(
        municipality=staff.eindhoven, item=item, amount=Decimal("1"), year=2024, note="besluit"
    )
    other = CostOverride.objects.create(
        municipality=staff.utrecht, item=item, amount=Decimal("2"), year=2024, note="besluit"
    )
    c = client_for(staff.adam)
    listing = c.get("/beheer/catalogue/costoverride/").content.decode()
    assert f"/beheer/catalogue/costoverride/{own.pk}/change/" in listing
    assert f"/beheer/catalogue/costoverride/{other.pk}/change/" not in listing
    assert c.get(f"/beheer/catalogue/costoverride/{other.pk}/change/").status_code in (302, 404)


def test_worker_has_no_catalogue_admin(staff, client_for):
    assert client_for(staff.alice).get("/beheer/catalogue/costoverride/").status_code == 403


def test_admin_types_an_own_amount_the_dutch_way(staff, client_for):
    item = CostItem.objects.get(code="MO_PLEK")
    own = CostOverride.objects.create(
        municipality=staff.eindhoven, item=item, amount=Decimal("1"), year=2024, note="besluit"
    )
    c = client_for(staff.adam)
    url = f"/beheer/catalogue/costoverride/{own.pk}/change/"
    page = c.get(url).content.decode()
    assert 'value="1,00"' in page and 'inputmode="decimal"' in page
    form = {
        "item": item.pk,
        "municipality": staff.eindhoven.pk,
        "amount": "€ 6.500,00",
        "year": 2024,
        "note": "besluit",
        "source_url": "",
    }
    response = c.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.amount == Decimal("6500.00")
    response = c.post(url, {**form, "amount": "6,500.00"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"] == [
        "Vul een bedrag in euro's in, bijvoorbeeld 125,50."
    ]
