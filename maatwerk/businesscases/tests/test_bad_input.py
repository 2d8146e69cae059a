"""Hostile and absurd business-case input: a clear 4xx in Dutch naming the field, nothing saved, and pages
that keep working for what was stored before amounts were bounded (issue 10, point 2)."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from maatwerk.businesscases import editor as ed
from maatwerk.businesscases import engine, evaluation, presentation, services
from maatwerk.businesscases.models import BusinessCase, BusinessCaseVersion, ValueTriangle
from maatwerk.cases.models import TimeEntry

from .factories import case_for, childcare_plan
from .test_views import childcare_form

API = "/api/v1/businesscases"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def case(world):
    return case_for(world.alice, world.team_a)


def as_user(user) -> Client:
    # A 500 must show as a status here, not as an exception from the test client.
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def post_json(client, path, text: str):
    return client.post(path, text, content_type="application/json")


def versions_url(case) -> str:
    return f"{API}/cases/{case.pk}/versions"


def assert_plan_error(response, field: str, fragment: str = "") -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "Het plan is niet geldig."
    assert body["field"] == field
    assert fragment in body["errors"][field][0]


# --- the API --------------------------------------------------------------------------------------------


def test_compute_refuses_a_plan_nested_a_hundred_thousand_deep(world):
    response = post_json(as_user(world.alice), f"{API}/compute", '{"horizon_months": ' + DEEP + "}")
    assert_plan_error(response, "plan", "te diep genest")


def test_saving_a_plan_nested_a_hundred_thousand_deep_is_refused_naming_the_plan(world, case):
    response = post_json(as_user(world.alice), versions_url(case), '{"plan": ' + DEEP + "}")
    assert_plan_error(response, "plan", "te diep genest")
    assert not BusinessCaseVersion.objects.exists()


def test_a_plan_nested_too_deep_for_copying_but_not_for_parsing_is_refused(world, case):
    label = "[" * 900 + "]" * 900
    text = '{"plan": {"horizon_months": 12, "investments": [{"label": ' + label + ', "amount": 1}]}}'
    assert_plan_error(post_json(as_user(world.alice), versions_url(case), text), "plan", "te diep genest")
    assert not BusinessCaseVersion.objects.exists()


@pytest.mark.parametrize("amount", [1e308, 1e11])
def test_compute_refuses_an_absurd_amount_naming_the_flow(world, amount):
    plan = childcare_plan()
    plan["investments"][0]["amount"] = amount
    response = post_json(as_user(world.alice), f"{API}/compute", json.dumps(plan))
    assert_plan_error(response, "investments[0].amount", "mag hoogstens € 9.999.999,99 zijn")


@pytest.mark.parametrize("amount", [1e308, 1e11])
def test_saving_an_absurd_amount_is_refused_and_nothing_is_saved(world, case, amount):
    plan = childcare_plan()
    plan["regular_route"][0]["amount"] = amount
    response = post_json(as_user(world.alice), versions_url(case), json.dumps({"plan": plan}))
    assert_plan_error(response, "regular_route[0].amount", "hoogstens")
    assert not BusinessCase.objects.filter(versions__isnull=False).exists()


def test_an_hourly_rate_of_ten_billion_is_refused_naming_the_rate(world, case):
    body = {"plan": childcare_plan(), "hourly_rate": "9999999999"}
    response = post_json(as_user(world.alice), versions_url(case), json.dumps(body))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["hourly_rate"]
    assert "1000" in response.json()["errors"]["hourly_rate"][0]
    assert not BusinessCaseVersion.objects.exists()


def test_the_service_refuses_an_hourly_rate_above_the_maximum(world, case):
    with pytest.raises(engine.PlanError) as caught:
        services.save_version(case, by=world.alice, plan=childcare_plan(), hourly_rate=Decimal("1000.01"))
    assert caught.value.field == "hourly_rate"
    assert caught.value.message == "mag hoogstens € 1.000,00 zijn"


def test_hours_times_rate_above_the_maximum_is_refused_naming_the_rate(world, case):
    TimeEntry.objects.bulk_create(
        [TimeEntry(case=case, worker=world.alice, hours=Decimal(24), activity="other") for _ in range(500)]
    )
    with pytest.raises(engine.PlanError) as caught:
        services.save_version(case, by=world.alice, plan=childcare_plan(), hourly_rate=Decimal(1000))
    assert caught.value.field == "hourly_rate"
    assert "12000 geregistreerde uren" in caught.value.message


def test_an_error_names_the_callers_flow_not_the_added_worker_time(world, case):
    TimeEntry.objects.create(case=case, worker=world.alice, hours=Decimal(3), activity="other")
    plan = childcare_plan()
    plan["investments"][0]["amount"] = 1e11
    with pytest.raises(engine.PlanError) as caught:
        evaluation.evaluate(case, plan)
    assert caught.value.field == "investments[0].amount"  # the caller's first flow, not the hours


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_the_json_body_are_refused(world, case, constant):
    text = '{"plan": {"horizon_months": 12, "investments": [{"amount": ' + constant + "}]}}"
    assert_plan_error(post_json(as_user(world.alice), versions_url(case), text), "plan", constant)
    text = '{"horizon_months": 12, "discount_rate": ' + constant + "}"
    assert_plan_error(post_json(as_user(world.alice), f"{API}/compute", text), "plan", constant)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"horizon_months": -36}, "horizon_months"),
        ({"regular_route": [{"amount": 10, "per": "month", "months": -12}]}, "regular_route[0].months"),
        ({"draws": 10**9}, "draws"),
        ({"regular_route": [{"amount": 1}] * 100_000}, "regular_route"),
    ],
)
def test_negative_months_and_too_many_draws_or_flows_are_refused(world, case, changes, field):
    body = json.dumps({"plan": childcare_plan(**changes)})
    assert_plan_error(post_json(as_user(world.alice), versions_url(case), body), field)
    assert not BusinessCaseVersion.objects.exists()


def test_a_body_that_is_not_an_object_gets_a_422_in_dutch(world, case):
    response = post_json(as_user(world.alice), versions_url(case), "[1, 2]")
    assert response.status_code == 422
    assert response.json()["detail"] == "De invoer is niet geldig."


def test_the_api_still_saves_a_valid_plan_with_a_rate(world, case):
    body = {"plan": childcare_plan(), "hourly_rate": "80.00", "note": "eerste opzet"}
    response = post_json(as_user(world.alice), versions_url(case), json.dumps(body))
    assert response.status_code == 201, response.content
    assert response.json()["hourly_rate"] == "80.00"


def test_another_teams_worker_still_gets_404_before_the_body_is_read(world, case):
    assert post_json(as_user(world.bob), versions_url(case), '{"plan": ' + DEEP + "}").status_code == 404


# --- the editor -----------------------------------------------------------------------------------------


def editor_post(client, case, data):
    return client.post(reverse("businesscases:editor", kwargs={"case_id": case.pk}), data)


def test_the_editor_refuses_an_amount_above_the_maximum_on_its_field(world, case):
    data = {**childcare_form(), "investments-0-amount": "100.000.000.000,00", "action": "save"}
    response = editor_post(as_user(world.alice), case, data)
    assert response.status_code == 400
    form = response.context["editor"].formsets["investments"].forms[0]
    assert "amount" in form.errors
    assert not BusinessCaseVersion.objects.exists()


def test_the_editor_refuses_an_hourly_rate_above_the_maximum(world, case):
    data = {**childcare_form(hourly_rate="9.999.999.999"), "action": "save"}
    response = editor_post(as_user(world.alice), case, data)
    assert response.status_code == 400
    assert "hourly_rate" in response.context["editor"].params.errors
    assert not BusinessCaseVersion.objects.exists()


def test_the_editor_refuses_amount_times_quantity_above_the_maximum_on_the_quantity(world, case):
    data = {**childcare_form(), "investments-0-quantity": "10000", "action": "save"}  # 6.500 × 10.000
    response = editor_post(as_user(world.alice), case, data)
    assert response.status_code == 400
    errors = response.context["editor"].formsets["investments"].forms[0].errors
    assert errors["quantity"] == ["Bedrag × aantal mag hoogstens € 9.999.999,99 zijn."]


def test_the_editor_refuses_a_start_month_beyond_any_horizon(world, case):
    data = {**childcare_form(), "regular_route-0-start_month": "99999999999999999999", "action": "save"}
    response = editor_post(as_user(world.alice), case, data)
    assert response.status_code == 400
    assert "start_month" in response.context["editor"].formsets["regular_route"].forms[0].errors


def test_the_live_preview_shows_the_error_instead_of_failing(world, case):
    data = {**childcare_form(), "investments-0-amount": "1e308"}
    response = as_user(world.alice).post(reverse("businesscases:preview", kwargs={"case_id": case.pk}), data)
    assert response.status_code == 200
    assert response.context["errors"]


# --- what was stored before amounts were bounded --------------------------------------------------------


def store_absurd_version(case, by, *, inputs=None) -> BusinessCaseVersion:
    """A version as the unbounded app saved it: a plan with 1e11, a result beyond every column."""
    plan = childcare_plan()
    plan["investments"][0]["amount"] = 1e11
    plan["investments"].insert(0, {"label": "Inzet", "amount": 9.999999999e13, "cost_code": "WIJKTEAM_INZET"})
    result = engine.compute(childcare_plan())
    result["expected"].update(investment=1e14, net=-1e14, avoided=1e300, roi=1e-300)
    result["simulation"]["net"].update(mean=-1e300, p5=-1e300, p50=-1e300, p95=-1e300)
    result["by_payer"]["gemeente"].update(invests=1e300, net=-1e300)
    result["monthly"]["maatwerk_incl_investment"] = [1e300] * 36
    business_case, _created = BusinessCase.objects.get_or_create(case=case)
    return BusinessCaseVersion.objects.create(
        business_case=business_case,
        number=business_case.versions.count() + 1,
        plan=plan,
        result=result,
        inputs=inputs if inputs is not None else {},
        hours=Decimal(10),
        hourly_rate=Decimal("9999999999.00"),
        # In range, as PostgreSQL would hold them; SQLite's out-of-range columns: see the migration test.
        investment=Decimal("9999999999.99"),
        expected_net=Decimal("-9999999999.99"),
        roi=None,
        p_net_positive=Decimal(0),
        created_by=by,
    )


def every_page(client, case, version) -> dict[str, object]:
    kwargs = {"case_id": case.pk}
    pages = {
        "editor": reverse("businesscases:editor", kwargs=kwargs),
        "version": reverse("businesscases:version", kwargs={**kwargs, "number": version.number}),
        "triangle": reverse("businesscases:triangle", kwargs=kwargs),
        "plan_pdf": reverse("businesscases:plan_pdf", kwargs=kwargs),
        "spend_form": reverse("budgets:spend_new", kwargs=kwargs),
        "api_versions": versions_url(case),
        "api_version": f"{versions_url(case)}/{version.number}",
        "api_triangle": f"{API}/cases/{case.pk}/triangle",
    }
    return {name: client.get(url) for name, url in pages.items()}


INVALID = "bevat een bedrag dat niet geldig is"


@pytest.mark.parametrize("with_editor_input", [False, True])
def test_every_page_of_a_case_with_an_absurd_stored_version_answers_and_says_so(
    world, case, with_editor_input
):
    inputs = None
    if with_editor_input:
        form = {**childcare_form(hourly_rate="9.999.999.999"), "investments-0-amount": "100.000.000.000,00"}
        inputs = {"params": ed.params_from_data(form), "rows": ed.rows_from_data(form)}
    version = store_absurd_version(case, world.alice, inputs=inputs)
    responses = every_page(as_user(world.alice), case, version)
    for name, response in responses.items():
        assert response.status_code == 200, (name, response.status_code)
    assert INVALID in responses["version"].content.decode()
    assert "Corrigeer het plan" in responses["version"].content.decode()
    editor = responses["editor"].content.decode()
    assert INVALID in editor and "ongeldig bedrag" in editor
    assert "ongeldig bedrag" in responses["triangle"].content.decode() or INVALID in (
        responses["triangle"].content.decode()
    )
    assert responses["plan_pdf"]["Content-Type"] == "application/pdf"
    assert responses["plan_pdf"].content.startswith(b"%PDF")


def test_the_editor_shows_the_stored_absurd_input_as_errors_to_correct(world, case):
    version = store_absurd_version(case, world.alice)
    response = as_user(world.alice).get(reverse("businesscases:editor", kwargs={"case_id": case.pk}))
    assert response.status_code == 200
    assert response.context["latest"].problem
    assert response.context["evaluation"] is None  # nothing computed from the absurd amounts
    assert version.number == 1


def test_a_triangle_recorded_on_an_absurd_version_takes_no_figures_from_it(world, case):
    store_absurd_version(case, world.alice)
    response = as_user(world.alice).post(
        reverse("businesscases:triangle", kwargs={"case_id": case.pk}),
        {"engagement": "Wil werken.", "legitimacy": "Art. 35.", "judgement": "Doen.", "verdict": "yes"},
    )
    assert response.status_code == 302
    triangle = ValueTriangle.objects.get()
    assert triangle.rendement == {"version": 1, "invalid": True}
    page = as_user(world.alice).get(reverse("businesscases:triangle", kwargs={"case_id": case.pk}))
    assert page.status_code == 200
    assert "geeft daarom geen cijfers" in page.content.decode()


def test_a_new_valid_version_after_an_absurd_one_is_shown_normally(world, case):
    store_absurd_version(case, world.alice)
    version = services.save_version(case, by=world.alice, plan=childcare_plan())
    assert presentation.version_problem(version) is None
    response = as_user(world.alice).get(
        reverse("businesscases:version", kwargs={"case_id": case.pk, "number": version.number})
    )
    assert response.status_code == 200 and response.context["s"]["net"] > 0


def test_version_problem_names_the_field(world, case):
    version = store_absurd_version(case, world.alice)
    problem = presentation.version_problem(version)
    assert "Investering 1, bedrag" in problem


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses such rows when they are saved")
def test_the_migration_makes_versions_stored_beyond_their_columns_readable_again(world, case):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("maatwerk.businesscases.migrations.0002_bounded_amounts")
    version = store_absurd_version(case, world.alice)
    # What SQLite kept from the unbounded app: numbers with more digits than the columns hold.
    BusinessCaseVersion.objects.filter(pk=version.pk).update(
        investment=Decimal("1E+14"), expected_net=Decimal("-1E+14"), hourly_rate=Decimal("9999999999999")
    )
    assert (
        as_user(world.alice).get(reverse("businesscases:editor", kwargs={"case_id": case.pk})).status_code
        == 500
    )

    migration.repair_out_of_range(apps, None)

    responses = every_page(as_user(world.alice), case, version)
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    repaired = BusinessCaseVersion.objects.get(pk=version.pk)
    assert (repaired.investment, repaired.expected_net, repaired.hourly_rate) == (0, 0, 0)
    assert presentation.version_problem(repaired)  # still marked as to be corrected
