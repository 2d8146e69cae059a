from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maatwerk.accounts.models import AccessLog
from maatwerk.businesscases import engine, services
from maatwerk.businesscases import evaluation as ev
from maatwerk.businesscases.models import BusinessCaseVersion, FrozenVersionError, ValueTriangle
from maatwerk.cases import services as case_services

from .factories import case_for, childcare_plan


@pytest.fixture
def case(world):
    return case_for(world.alice, world.team_a)


def test_every_save_is_a_new_numbered_version(world, case):
    first = services.save_version(case, by=world.alice, plan=childcare_plan())
    second = services.save_version(case, by=world.alice, plan=childcare_plan(horizon_months=24))
    assert (first.number, second.number) == (1, 2)
    assert first.business_case_id == second.business_case_id
    assert first.plan["horizon_months"] == 36 and second.plan["horizon_months"] == 24
    assert second.created_by == world.alice
    assert (
        AccessLog.objects.filter(object_type="businesscases.businesscaseversion", action="create").count()
        == 2
    )


def test_saved_version_stores_result_and_decimal_figures(world, case):
    version = services.save_version(case, by=world.alice, plan=childcare_plan())
    assert version.result["expected"]["net"] > 0
    assert isinstance(version.expected_net, Decimal)
    assert version.expected_net == engine.to_decimal(version.result["expected"]["net"])
    assert version.sources["PW_NORM_ALL_2024H1"]["confidence"] == "A"
    assert version.sources["PW_NORM_ALL_2024H1"]["source_url"].startswith("https://")


def test_frozen_version_refuses_change_and_editing_makes_a_new_version(world, case):
    version = services.save_version(case, by=world.alice, plan=childcare_plan())
    services.freeze_version(version, by=world.dave, reason="Bestedingsverzoek 12 goedgekeurd")
    version.refresh_from_db()
    assert version.frozen and version.frozen_by == world.dave
    version.note = "changed afterwards"
    with pytest.raises(FrozenVersionError):
        version.save()
    with pytest.raises(FrozenVersionError):
        BusinessCaseVersion.objects.filter(pk=version.pk).update(note="sneaky")
    with pytest.raises(FrozenVersionError):
        version.delete()
    newer = services.save_version(case, by=world.alice, plan=childcare_plan(deadweight=0.1))
    assert newer.number == 2 and not newer.frozen
    version.refresh_from_db()
    assert version.plan["deadweight"] == 0.0


def test_freezing_needs_a_reason_and_keeps_the_first_freeze(world, case):
    version = services.save_version(case, by=world.alice, plan=childcare_plan())
    with pytest.raises(ValidationError):
        services.freeze_version(version, by=world.dave, reason=" ")
    services.freeze_version(version, by=world.dave, reason="first")
    again = services.freeze_version(version, by=world.alice, reason="second")
    assert again.frozen_reason == "first"


def test_worker_of_other_team_cannot_save_or_freeze(world, case):
    with pytest.raises(PermissionDenied):
        services.save_version(case, by=world.bob, plan=childcare_plan())
    version = services.save_version(case, by=world.alice, plan=childcare_plan())
    with pytest.raises(PermissionDenied):
        services.freeze_version(version, by=world.bob, reason="x")


@pytest.mark.parametrize(
    ("codes", "grade", "bias"),
    [
        ([], None, 0.0),
        (["PW_NORM_ALL_2024H1"], "A", 0.0),
        (["PW_NORM_ALL_2024H1", "KOT_MAX_DAGOPVANG"], "B", 0.15),
        (["KOT_MAX_DAGOPVANG", "HUISUITZ_MAATSCH", "PW_NORM_ALL_2024H1"], "C", 0.40),
    ],
    ids=["none", "A", "B", "C"],
)
def test_optimism_bias_defaults_by_weakest_grade(world, case, codes, grade, bias):
    flows = [{"label": c, "amount": 100, "cost_code": c, "payer": "gemeente"} for c in codes]
    evaluation = ev.evaluate(case, childcare_plan(regular_route=flows))
    assert evaluation.bias.grade == grade
    assert evaluation.plan["optimism_bias"] == pytest.approx(bias)
    assert evaluation.bias.applied


def test_optimism_bias_given_in_the_plan_wins(world, case):
    evaluation = ev.evaluate(case, childcare_plan(optimism_bias=0.05))
    assert evaluation.plan["optimism_bias"] == 0.05
    assert not evaluation.bias.applied


def test_worker_hours_count_as_investment(world, case):
    without = ev.evaluate(case, childcare_plan())
    case_services.register_time(case, by=world.alice, hours="2.5", activity="household")
    case_services.register_time(case, by=world.dave, hours="1.5", activity="mdt")
    evaluation = ev.evaluate(case, childcare_plan(), hourly_rate=Decimal("80"))
    assert evaluation.hours == Decimal("4.00")
    assert evaluation.worker_cost == Decimal("320.00")
    worker = evaluation.plan["investments"][0]
    assert worker["cost_code"] == ev.WORKER_FLOW_CODE and worker["amount"] == 320.0
    assert evaluation.result["expected"]["investment"] == pytest.approx(6500 + 320)
    assert evaluation.result["expected"]["net"] == pytest.approx(without.result["expected"]["net"] - 320)


def test_worker_time_sent_back_in_is_not_counted_twice(world, case):
    case_services.register_time(case, by=world.alice, hours="2", activity="household")
    version = services.save_version(case, by=world.alice, plan=childcare_plan())
    again = ev.evaluate(case, version.plan, hourly_rate=version.hourly_rate)
    assert again.result["expected"]["investment"] == version.result["expected"]["investment"]


def test_default_hourly_rate_comes_from_setting(world, case, settings):
    settings.MAATWERK_WORKER_HOURLY_RATE = 90
    case_services.register_time(case, by=world.alice, hours="1", activity="household")
    assert ev.evaluate(case, childcare_plan()).worker_cost == Decimal("90.00")


def test_per_payer_table_shows_who_invests_and_who_saves(world, case):
    plan = childcare_plan()
    plan["regular_route"].append(
        {
            "label": "Huisuitzetting",
            "amount": 7500,
            "month": 6,
            "probability": 0.3,
            "payer": "woningcorporatie",
        }
    )
    by_payer = ev.evaluate(case, plan).result["by_payer"]
    assert by_payer["gemeente"]["invests"] == 6500
    assert by_payer["woningcorporatie"]["invests"] == 0 and by_payer["woningcorporatie"]["avoided"] > 0


def test_plan_error_names_the_field(world, case):
    plan = childcare_plan()
    plan["regular_route"][0]["probability"] = 1.5
    with pytest.raises(engine.PlanError) as excinfo:
        services.save_version(case, by=world.alice, plan=plan)
    assert excinfo.value.field == "regular_route[0].probability"
    assert not BusinessCaseVersion.objects.exists()


def test_triangle_takes_return_from_latest_version_as_snapshot(world, case):
    services.save_version(case, by=world.alice, plan=childcare_plan())
    latest = services.save_version(case, by=world.alice, plan=childcare_plan(deadweight=0.2))
    triangle = services.record_triangle(
        case,
        by=world.alice,
        engagement="Sanne wil werken; haar moeder haalt de kinderen op.",
        legitimacy="Kinderopvangtoeslag komt te laat; bijzondere bijstand overbrugt.",
        legal_basis="Participatiewet art. 35",
        judgement="Afwijken is gerechtvaardigd.",
        verdict="yes",
    )
    assert triangle.version_number == 2 and triangle.version == latest
    assert triangle.rendement["net"] == str(latest.expected_net)
    services.save_version(case, by=world.alice, plan=childcare_plan(deadweight=0.5))
    triangle.refresh_from_db()
    assert triangle.rendement["version"] == 2  # a later version does not rewrite the judgement


def test_triangle_each_save_is_a_new_row_and_requires_the_corners(world, case):
    with pytest.raises(ValidationError) as excinfo:
        services.record_triangle(
            case, by=world.alice, engagement="", legitimacy="x", judgement="", verdict="maybe"
        )
    assert set(excinfo.value.message_dict) == {"engagement", "judgement", "verdict"}
    for verdict in ("doubt", "yes"):
        services.record_triangle(
            case, by=world.alice, engagement="e", legitimacy="l", judgement="j", verdict=verdict
        )
    assert ValueTriangle.objects.filter(case=case).count() == 2
    assert services.latest_triangle(case).verdict == "yes"
    assert services.latest_triangle(case).rendement == {}


def test_triangle_corners_are_bounded_like_every_free_text(world, case):
    from maatwerk.validation import MAX_TEXT

    with pytest.raises(ValidationError) as excinfo:
        services.record_triangle(
            case,
            by=world.alice,
            engagement="e" * (MAX_TEXT + 1),
            legitimacy="l",
            judgement="j",
            verdict="yes",
            legal_basis="b" * 201,
        )
    assert excinfo.value.message_dict == {
        "engagement": ["Gebruik maximaal 20000 tekens."],
        "legal_basis": ["Gebruik maximaal 200 tekens."],
    }
    assert not ValueTriangle.objects.filter(case=case).exists()


def test_pdf_export_writes_an_export_access_log_row(world, case):
    services.save_version(case, by=world.alice, plan=childcare_plan())
    pdf = services.export_plan_pdf(case, by=world.alice)
    assert pdf.startswith(b"%PDF")
    row = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert row.user == world.alice and row.household_id == case.household_id
