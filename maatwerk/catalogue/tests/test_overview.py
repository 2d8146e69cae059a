"""The cost overview page: who sees it, filters, comparison, municipal amounts and Dutch formatting."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from maatwerk.catalogue.models import CostItem, CostOverride

URL = "/kostenoverzicht/"


def codes(response) -> list[str]:
    body = response.content.decode()
    results = body[body.index('id="catalogue-results"') :]
    table = results[results.index("mw-catalogue") :]
    return re.findall(r'<tr class="utrecht-table__row" data-code="([A-Z0-9_]+)"', table)


@pytest.fixture
def eindhoven_bijstand(world):
    return CostOverride.objects.create(
        municipality=world.eindhoven,
        item=CostItem.objects.get(code="PW_UITK_GEM"),
        amount=Decimal("15250.00"),
        year=2024,
        note="Jaarrekening Eindhoven 2024",
        source_url="https://www.eindhoven.nl/jaarrekening-2024",
    )


def test_navigation_points_here():
    assert reverse("catalogue:overview") == URL


@pytest.mark.parametrize("who", ["alice", "dave", "lars", "erin"])
def test_roles_that_weigh_options_see_the_overview(world, client_for, who):
    response = client_for(getattr(world, who)).get(URL)
    assert response.status_code == 200
    assert "Kostenoverzicht" in response.content.decode()


@pytest.mark.parametrize("who", ["pat", "rita", "adam"])
def test_other_roles_get_403(world, client_for, who):
    assert client_for(getattr(world, who)).get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_lists_active_items_with_dutch_money_source_link_and_badge(world, client_for):
    CostItem.objects.filter(code="CJIB_ADMIN").update(active=False)
    response = client_for(world.alice).get(URL)
    body = response.content.decode()
    assert "PW_NORM_ALL_2024H1" in codes(response)
    assert "CJIB_ADMIN" not in codes(response)
    assert "€ 1.283,83 per maand" in body
    assert "(2024)" in body
    assert 'href="https://www.velsen.nl/bijstandsnormen-per-1-januari-2024"' in body
    assert 'data-badge="A"' in body
    assert "Wat de betrouwbaarheidsgraden betekenen" in body
    assert ">Kostenpost</th>" in body
    assert "Status van het indexcijfer voor" in body


def test_search_by_name_or_code(world, client_for):
    c = client_for(world.alice)
    assert codes(c.get(URL, {"q": "huisuitzetting"})) == ["HUISUITZ_DIRECT", "HUISUITZ_MAATSCH"]
    assert codes(c.get(URL, {"q": "cjib"})) == ["CJIB_ADMIN"]


def test_filter_by_domain_payer_and_confidence(world, client_for):
    c = client_for(world.alice)
    justitie = codes(c.get(URL, {"domain": "justitie"}))
    assert justitie and all(CostItem.objects.get(code=x).domain == "justitie" for x in justitie)
    corporatie = codes(c.get(URL, {"payer": "woningcorporatie"}))
    assert set(corporatie) == {"HUISUITZ_DIRECT", "GRIFFIE_KANTON_RP_1500", "GRIFFIE_KANTON_RP_5000"}
    assert codes(c.get(URL, {"domain": "huisvesting", "payer": "burger", "confidence": "A"})) == [
        "ENERGIE_AFSLUITEN",
        "ENERGIE_HERAANSLUITEN",
    ]


def test_an_invalid_filter_shows_an_error_not_a_crash(world, client_for):
    response = client_for(world.alice).get(URL, {"domain": "maan"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


def test_htmx_request_gets_only_the_results(world, client_for):
    response = client_for(world.alice).get(
        URL, {"domain": "jeugd"}, headers={"HX-Request": "true", "HX-Target": "catalogue-results"}
    )
    body = response.content.decode()
    assert body.startswith('<div id="catalogue-results">')
    assert "<html" not in body


def test_compare_per_month_and_per_year(world, client_for):
    response = client_for(world.alice).get(
        URL,
        {"compare": ["PW_NORM_ALL_2024H1", "MO_PLEK", "HUISUITZ_DIRECT", "HBH_HH1"], "units_HBH_HH1": "10"},
    )
    ctx = {c["item"].code: c for c in response.context["comparison"]}
    assert list(ctx) == ["PW_NORM_ALL_2024H1", "MO_PLEK", "HUISUITZ_DIRECT", "HBH_HH1"]
    year = response.context["price_year"]
    month = ctx["PW_NORM_ALL_2024H1"]["amounts"]
    assert month.per_year == month.per_month * 12
    assert ctx["MO_PLEK"]["amounts"].per_month == (ctx["MO_PLEK"]["price"].amount / 12).quantize(
        Decimal("0.01")
    )
    once = ctx["HUISUITZ_DIRECT"]["amounts"]
    assert once.one_off == ctx["HUISUITZ_DIRECT"]["price"].amount and once.per_month is None
    hourly = ctx["HBH_HH1"]
    assert hourly["units"] == Decimal("10")
    assert hourly["amounts"].per_month == hourly["price"].amount * 10
    body = response.content.decode()
    assert f"prijzen van {year}" in body
    # Ticked items stay ticked in the list.
    assert 'value="MO_PLEK" id="compare-MO_PLEK" checked' in body


def test_hourly_rate_without_hours_gets_no_monthly_figure(world, client_for):
    response = client_for(world.alice).get(URL, {"compare": ["POLITIE_UUR"]})
    row = response.context["comparison"][0]
    assert row["amounts"].per_month is None and row["amounts"].per_year is None
    assert "vul uren of dagen in" in response.content.decode()


def test_ticked_items_hidden_by_the_filter_stay_in_the_comparison(world, client_for):
    response = client_for(world.alice).get(URL, {"domain": "jeugd", "compare": ["PW_NORM_ALL_2024H1"]})
    assert response.context["hidden_compare"] == ["PW_NORM_ALL_2024H1"]
    assert '<input type="hidden" name="compare" value="PW_NORM_ALL_2024H1">' in response.content.decode()


def test_own_municipality_override_is_shown_with_a_marker(world, client_for, eindhoven_bijstand):
    response = client_for(world.alice).get(URL, {"q": "PW_UITK_GEM"})
    row = response.context["rows"][0]
    assert row["price"].is_override and row["price"].base_amount == Decimal("15250.00")
    body = response.content.decode()
    assert "€ 15.250,00" in body
    assert "eigen bedrag" in body
    assert "landelijk: € 14.000,00 (2018)" in body
    assert "https://www.eindhoven.nl/jaarrekening-2024" in body


def test_worker_of_other_municipality_does_not_see_the_override(world, client_for, eindhoven_bijstand):
    response = client_for(world.carol).get(URL, {"q": "PW_UITK_GEM"})
    row = response.context["rows"][0]
    assert not row["price"].is_override and row["price"].base_amount == Decimal("14000.00")
    body = response.content.decode()
    assert "15.250" not in body
    assert "mw-override" not in body


def test_page_has_no_inline_scripts_or_styles(world, client_for):
    body = client_for(world.alice).get(URL, {"compare": ["MO_PLEK"]}).content.decode()
    assert "style=" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert "onclick" not in body
