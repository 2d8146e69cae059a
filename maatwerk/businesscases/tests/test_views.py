import pytest
from django.urls import reverse

from maatwerk.accounts.models import AccessLog
from maatwerk.businesscases import editor as ed
from maatwerk.businesscases import evaluation, services
from maatwerk.businesscases.models import BusinessCaseVersion, ValueTriangle
from maatwerk.cases import services as case_services

from .factories import case_for, childcare_plan


@pytest.fixture
def case(world):
    return case_for(world.alice, world.team_a)


def childcare_form(**params) -> dict:
    rows = {
        "investments": [
            {**ed.blank_row(), "label": "Kinderopvang", "amount": "6.500,00"},
        ],
        "regular_route": [
            {
                **ed.blank_row(),
                "label": "Bijstand",
                "amount": "1283,83",
                "per": "month",
                "start_month": "2",
                "months": "12",
                "probability": "90",
                "cost_code": "PW_NORM_ALL_2024H1",
            }
        ],
        "maatwerk_route": [],
    }
    return ed.form_data({**ed.default_params(evaluation.DEFAULT_HOURLY_RATE), **params}, rows)


def url(name, case, **kwargs):
    return reverse(f"businesscases:{name}", kwargs={"case_id": case.pk, **kwargs})


def test_worker_sees_empty_editor_of_own_case(world, case, client_for):
    response = client_for(world.alice).get(url("editor", case))
    assert response.status_code == 200
    assert "Business case" in response.content.decode() or "Businesscase" in response.content.decode()


def test_worker_of_other_team_gets_404_on_every_page(world, case, client_for):
    services.save_version(case, by=world.alice, plan=childcare_plan())
    bob = client_for(world.bob)
    for name, kwargs in [("editor", {}), ("triangle", {}), ("plan_pdf", {}), ("version", {"number": 1})]:
        assert bob.get(url(name, case, **kwargs)).status_code == 404, name
    assert bob.post(url("preview", case), childcare_form()).status_code == 404
    assert bob.post(url("editor", case), {**childcare_form(), "action": "save"}).status_code == 404
    assert BusinessCaseVersion.objects.count() == 1


def test_calculate_without_javascript_shows_net_benefit_and_payer_table(world, case, client_for):
    response = client_for(world.alice).post(url("editor", case), {**childcare_form(), "action": "calculate"})
    assert response.status_code == 200
    s = response.context["s"]
    assert s["net"] > 0
    assert [row.payer for row in s["payers"]] == ["gemeente"]
    html = response.content.decode()
    assert "<polyline" in html and 'id="bc-results"' in html


def test_preview_returns_the_results_partial(world, case, client_for):
    response = client_for(world.alice).post(url("preview", case), childcare_form())
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="bc-results"')
    assert "<html" not in html


def test_save_makes_a_version_with_the_editor_input(world, case, client_for):
    client = client_for(world.alice)
    response = client.post(url("editor", case), {**childcare_form(note="eerste opzet"), "action": "save"})
    assert response.status_code == 302
    version = BusinessCaseVersion.objects.get()
    assert version.number == 1 and version.note == "eerste opzet"
    assert version.plan["discount_rate"] == pytest.approx(0.0225)
    assert version.inputs["rows"]["investments"][0]["label"] == "Kinderopvang"
    # The editor opens again with what was typed.
    page = client.get(url("editor", case))
    assert page.context["editor"].formsets["investments"].forms[0]["label"].value() == "Kinderopvang"
    client.post(url("editor", case), {**childcare_form(), "action": "save"})
    assert list(BusinessCaseVersion.objects.values_list("number", flat=True).order_by("number")) == [1, 2]


def test_engine_error_is_shown_on_the_field_it_names(world, case, client_for):
    data = childcare_form()
    data["investments-0-months"] = "3"  # months with a one-off amount: the engine refuses
    response = client_for(world.alice).post(url("editor", case), {**data, "action": "calculate"})
    assert response.status_code == 400
    form = response.context["editor"].formsets["investments"].forms[0]
    assert "months" in form.errors
    assert "Kan alleen bij een bedrag per maand of per jaar" in form.errors["months"][0]


def test_adding_a_catalogue_item_prefills_its_current_amount(world, case, client_for):
    response = client_for(world.alice).post(
        url("editor", case), {**childcare_form(), "add": "regular_route:HUISUITZ_DIRECT"}
    )
    assert response.status_code == 200
    rows = response.context["editor"].formsets["regular_route"].forms
    assert len(rows) == 2
    added = rows[1]
    assert added["cost_code"].value() == "HUISUITZ_DIRECT"
    assert added["payer"].value() == "woningcorporatie"
    assert added["amount"].value() not in ("", None)


def test_search_finds_catalogue_items(world, case, client_for):
    response = client_for(world.alice).get(url("search", case), {"q": "bijstand"})
    assert response.status_code == 200
    assert "PW_NORM_ALL_2024H1" in response.content.decode()


def test_removing_a_row(world, case, client_for):
    response = client_for(world.alice).post(
        url("editor", case), {**childcare_form(), "remove": "investments-0"}
    )
    assert len(response.context["editor"].formsets["investments"].forms) == 0


def test_worker_hours_show_in_the_editor(world, case, client_for):
    case_services.register_time(case, by=world.alice, hours="3", activity="household")
    response = client_for(world.alice).post(url("editor", case), {**childcare_form(), "action": "calculate"})
    assert response.context["evaluation"].worker_cost == 225
    assert "225,00" in response.content.decode()


def test_optimism_bias_reason_is_shown(world, case, client_for):
    data = childcare_form()
    data["regular_route-0-cost_code"] = "HUISUITZ_MAATSCH"
    response = client_for(world.alice).post(url("editor", case), {**data, "action": "calculate"})
    assert response.context["evaluation"].bias.grade == "C"
    assert "C → 40 %" in response.content.decode()


def test_triangle_page_records_a_new_assessment(world, case, client_for):
    services.save_version(case, by=world.alice, plan=childcare_plan())
    client = client_for(world.alice)
    data = {"engagement": "e", "legitimacy": "l", "legal_basis": "", "judgement": "j", "verdict": "doubt"}
    assert client.post(url("triangle", case), data).status_code == 302
    assert client.post(url("triangle", case), {**data, "verdict": "yes"}).status_code == 302
    page = client.get(url("triangle", case))
    assert page.context["latest"].verdict == "yes"
    assert ValueTriangle.objects.count() == 2
    assert client.post(url("triangle", case), {**data, "engagement": ""}).status_code == 400


def test_plan_pdf_download_is_logged_as_export(world, case, client_for):
    services.save_version(case, by=world.alice, plan=childcare_plan())
    response = client_for(world.alice).get(url("plan_pdf", case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        AccessLog.objects.filter(action=AccessLog.Action.EXPORT, household_id=case.household_id).count() == 1
    )


def test_version_page_lists_sources(world, case, client_for):
    services.save_version(case, by=world.alice, plan=childcare_plan())
    response = client_for(world.alice).get(url("version", case, number=1))
    assert response.status_code == 200
    assert "velsen.nl" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("6.500", "6500"),
        ("6.500,50", "6500.50"),
        ("2,25", "2.25"),
        ("2.25", "2.25"),
        ("€ 1.234.567", "1234567"),
    ],
)
def test_amounts_are_read_the_dutch_way(typed, value):
    from maatwerk.businesscases.forms import normalise_number

    assert normalise_number(typed) == value
