import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from maatwerk.accounts.models import AccessLog
from maatwerk.barriers import services
from maatwerk.barriers.models import Barrier, BarrierStatus, CaseLink, Decision, Escalation, Level

from .factories import answered, case_for, childcare_barrier, childcare_data

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def test_worker_registers_from_case_and_case_is_linked_with_cost(world):
    case = case_for(world)
    barrier = childcare_barrier(world, case=case)
    assert barrier.municipality == world.eindhoven
    assert barrier.team == world.team_a
    assert barrier.status == BarrierStatus.OPEN
    assert barrier.provision_key == "art 30 awir"
    link = barrier.links.get()
    assert link.case == case and link.cost_at_stake == Decimal("12500.00")
    assert AccessLog.objects.filter(object_type="barriers.caselink", household_id=case.household_id).exists()


def test_register_on_its_own_uses_the_workers_team(world):
    barrier = childcare_barrier(world, by=world.bob)
    assert barrier.team == world.team_b and barrier.links.count() == 0


def test_legal_checker_registers_at_municipal_level(world):
    barrier = childcare_barrier(world, by=world.lars)
    assert barrier.municipality == world.eindhoven and barrier.team is None


def test_policy_and_programme_cannot_register(world):
    for user in (world.erin, world.pat):
        with pytest.raises(PermissionDenied):
            childcare_barrier(world, by=user)


def test_register_validates_everything_and_saves_nothing(world):
    with pytest.raises(ValidationError) as exc:
        services.register_barrier(
            by=world.alice, type="nonsense", title="", description="", agencies=[99], risk_date="31-02-2026"
        )
    assert set(exc.value.message_dict) == {"type", "title", "description", "agencies", "risk_date"}
    assert Barrier.objects.count() == 0


def test_worker_cannot_register_from_a_case_of_another_team(world):
    case = case_for(world, by=world.bob, team=world.team_b)
    with pytest.raises(PermissionDenied):
        childcare_barrier(world, by=world.alice, case=case)


def test_names_and_bsns_of_the_household_are_refused_in_barrier_texts(world):
    case = case_for(world)
    with pytest.raises(ValidationError) as exc:
        childcare_barrier(
            world, case=case, description="Mevrouw Zwanenburg kan niet werken.", risk="BSN 111222333"
        )
    assert set(exc.value.message_dict) == {"description", "risk"}
    assert (
        "naam" in exc.value.message_dict["description"][0]
        or "name" in exc.value.message_dict["description"][0]
    )
    assert Barrier.objects.count() == 0 and CaseLink.objects.count() == 0


def test_link_more_cases_cost_is_the_sum(world):
    barrier = childcare_barrier(world, case=case_for(world))
    other = case_for(
        world, by=world.bob, team=world.team_b, name="Oosterhout", first_name="Gerrit", bsn="123456782"
    )
    services.link_case(barrier, other, by=world.bob, cost_at_stake="800,50")
    assert sum(link.cost_at_stake for link in barrier.links.all()) == Decimal("13300.50")


def test_link_refuses_duplicates_and_other_municipality(world):
    case = case_for(world)
    barrier = childcare_barrier(world, case=case)
    with pytest.raises(ValidationError) as exc:
        services.link_case(barrier, case, by=world.alice)
    assert "case" in exc.value.message_dict
    utrecht_case = case_for(world, by=world.carol, team=world.team_c, name="Oosterhout", bsn="")
    with pytest.raises(ValidationError):
        services.link_case(barrier, utrecht_case, by=world.carol)


def test_national_escalation_is_refused_until_local_and_regional_attempts(world):
    barrier = childcare_barrier(world)
    due = datetime.date.today() + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        services.escalate_barrier(
            barrier, by=world.lars, level=Level.NATIONAL, to="Landelijk Maatwerkloket", due_date=due
        )
    assert "level" in exc.value.message_dict
    municipal = services.escalate_barrier(
        barrier, by=world.lars, level=Level.MUNICIPALITY, to="Maatwerkfunctionaris", due_date=due
    )
    services.record_answer(municipal, by=world.lars, answer="Lokaal niet op te lossen.", decision="referred")
    with pytest.raises(ValidationError):
        services.escalate_barrier(barrier, by=world.lars, level=Level.NATIONAL, to="LML", due_date=due)
    regional = services.escalate_barrier(
        barrier, by=world.lars, level=Level.REGION, to="Regio Zuidoost", due_date=due
    )
    services.record_answer(regional, by=world.lars, answer="Regionaal geen ruimte.", decision="referred")
    esc = services.escalate_barrier(
        barrier, by=world.lars, level=Level.NATIONAL, to="Landelijk Maatwerkloket", due_date=due
    )
    assert esc.level == Level.NATIONAL and esc.owner == world.lars
    barrier.refresh_from_db()
    assert barrier.status == BarrierStatus.ESCALATED
    assert barrier.escalations.count() == 3


def test_escalation_outside_municipality_is_refused(world):
    barrier = childcare_barrier(world)
    with pytest.raises(PermissionDenied):
        services.escalate_barrier(
            barrier, by=world.carol, level=Level.TEAM, to="x", due_date=datetime.date.today()
        )


def test_due_date_in_the_past_is_refused(world):
    barrier = childcare_barrier(world)
    with pytest.raises(ValidationError) as exc:
        services.escalate_barrier(
            barrier,
            by=world.alice,
            level=Level.TEAM,
            to="Teamleider",
            due_date=datetime.date.today() - datetime.timedelta(days=1),
        )
    assert "due_date" in exc.value.message_dict
    assert Escalation.objects.count() == 0


def test_closing_without_an_answer_is_refused(world):
    barrier = childcare_barrier(world)
    with pytest.raises(ValidationError) as exc:
        services.close_barrier(barrier, by=world.alice, status=BarrierStatus.SOLVED_CASE, reason="Opgelost")
    assert "status" in exc.value.message_dict
    services.escalate_barrier(
        barrier, by=world.alice, level=Level.TEAM, to="Teamleider", due_date=datetime.date.today()
    )
    with pytest.raises(ValidationError):
        services.close_barrier(barrier, by=world.alice, status=BarrierStatus.SOLVED_CASE, reason="Opgelost")
    barrier.refresh_from_db()
    assert barrier.status == BarrierStatus.ESCALATED and barrier.closed_at is None


def test_answer_then_close_and_rejection_needs_a_reason(world):
    barrier = childcare_barrier(world)
    answered(barrier, world.lars)
    barrier.refresh_from_db()
    assert barrier.status == BarrierStatus.ANSWERED
    with pytest.raises(ValidationError) as exc:
        services.close_barrier(barrier, by=world.lars, status=BarrierStatus.REJECTED, reason="")
    assert "reason" in exc.value.message_dict
    services.close_barrier(
        barrier, by=world.lars, status=BarrierStatus.REJECTED, reason="Wet laat geen ruimte"
    )
    barrier.refresh_from_db()
    assert barrier.status == BarrierStatus.REJECTED and barrier.closed_by == world.lars
    with pytest.raises(ValidationError):
        services.escalate_barrier(
            barrier, by=world.lars, level=Level.TEAM, to="x", due_date=datetime.date.today()
        )


def test_answer_twice_is_refused(world):
    esc = answered(childcare_barrier(world), world.alice)
    with pytest.raises(ValidationError):
        services.record_answer(esc, by=world.alice, answer="Nog eens", decision=Decision.REJECTED)


def test_merge_into_group_by_programme_across_municipalities(world):
    a = childcare_barrier(world)
    b = childcare_barrier(world, by=world.carol, legal_provision="Artikel 30 AWIR")
    assert a.provision_key == b.provision_key
    group = services.merge_into_group([a, b], by=world.pat, title="Verrekening toeslagen")
    assert set(group.barriers.all()) == {a, b}
    c = childcare_barrier(world, by=world.bob)
    d = childcare_barrier(world, by=world.dave)
    other = services.merge_into_group([c, d], by=world.erin)
    merged = services.merge_into_group([a, c], by=world.pat)
    assert merged == group
    assert Barrier.objects.filter(group=group).count() == 4
    assert not type(other).objects.filter(pk=other.pk).exists()


def test_policy_cannot_merge_across_municipalities_and_workers_cannot_merge(world):
    a = childcare_barrier(world)
    b = childcare_barrier(world, by=world.carol)
    with pytest.raises(PermissionDenied):
        services.merge_into_group([a, b], by=world.erin)
    with pytest.raises(PermissionDenied):
        services.merge_into_group([a, b], by=world.alice)


def test_merge_needs_two_barriers(world):
    with pytest.raises(ValidationError):
        services.merge_into_group([childcare_barrier(world)], by=world.pat)


@time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0), tick=False)
def test_overdue_for_owner_and_policy(world):
    from maatwerk.barriers.queries import overdue_for

    barrier = childcare_barrier(world)
    esc = services.escalate_barrier(
        barrier, by=world.alice, level=Level.TEAM, to="Teamleider", due_date=TODAY
    )
    assert list(overdue_for(world.alice)) == []
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        assert list(overdue_for(world.alice)) == [esc]
        assert list(overdue_for(world.erin)) == [esc]
        assert list(overdue_for(world.bob)) == []
        assert list(overdue_for(world.carol)) == []


def test_unknown_fields_are_not_accepted(world):
    with pytest.raises(TypeError):
        services.register_barrier(by=world.alice, **childcare_data(), municipality=world.utrecht)
