"""The mandate ladder always leads somewhere: a request goes to the lowest rung that covers it and has
someone other than the requester to approve it, waits in that rung's queue only, and an amount no rung
covers is refused when it is requested, naming the highest mandate.

Eindhoven's ladder here (`standard_mandates`): workers up to EUR 250, team leads up to EUR 2,500, Walter
for the college without a limit; a legality check above EUR 1,000.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import make_user
from maatwerk.accounts.models import AccessLog, Role
from maatwerk.budgets import queries, rules, services
from maatwerk.budgets.models import Channel, LegalityCheckRule, Mandate, SpendRequest, SpendStatus

from .factories import college_member, lawful_check, make_budget, make_case, request, standard_mandates


@pytest.fixture
def ladder(world):
    standard_mandates(world.eindhoven, bb_user=world.lars)
    case = make_case(world.team_a)
    make_budget(world, amount="100000.00")
    return world, case, college_member(world.eindhoven)


def test_a_small_request_goes_to_the_team_lead_when_no_other_worker_can_approve_it(ladder):
    world, case, walter = ladder
    spend = request(
        world.alice, case, "200.00"
    )  # within the workers' mandate, but alice is team A's only worker
    assert spend.approver_mandate.role == Role.TEAM_LEAD
    assert queries.waiting_for(world.dave) == [spend]
    assert queries.waiting_for(walter) == []


def test_a_small_request_goes_to_another_worker_of_the_team_when_there_is_one(ladder):
    world, case, _walter = ladder
    wim = make_user("wim", Role.WORKER, team=world.team_a)
    spend = request(world.alice, case, "200.00")
    assert spend.approver_mandate.role == Role.WORKER
    assert queries.waiting_for(wim) == [spend]
    assert queries.waiting_for(world.alice) == []  # four eyes
    assert queries.waiting_for(world.dave) == []  # in one rung's queue only; dave may still approve it
    assert rules.approval_refusal(spend, world.dave) is None


def test_an_amount_above_the_team_lead_waits_for_the_check_then_sits_in_the_college_queue(ladder):
    world, case, walter = ladder
    spend = request(world.alice, case, "6500.00")
    assert spend.needs_legality_check and spend.approver_mandate.user == walter
    assert queries.waiting_for(walter) == []  # the check comes first
    assert queries.routed_to(walter) == [spend]  # shown to Walter as coming
    assert spend in queries.awaiting_check(world.lars)
    assert "Walter Wethouder" in rules.next_step(spend)
    lawful_check(spend, world.lars)
    assert queries.waiting_for(walter) == [spend]
    assert queries.waiting_for(world.dave) == []
    with pytest.raises(PermissionDenied):
        services.approve_spend(spend, by=world.dave)
    assert services.approve_spend(spend, by=walter).status == SpendStatus.APPROVED


def test_an_amount_above_every_mandate_is_refused_at_request_naming_the_highest(ladder):
    world, case, walter = ladder
    Mandate.objects.filter(user=walter, channel=Channel.MAATWERKBUDGET).update(max_amount=Decimal("10000"))
    with pytest.raises(ValidationError) as refused:
        request(world.alice, case, "10000.01")
    message = refused.value.message_dict["amount"][0]
    assert "10.000,00" in message and "College van B en W" in message
    assert not SpendRequest.objects.exists()
    assert request(world.alice, case, "10000.00").approver_mandate.user == walter


def test_a_rung_without_anyone_but_the_requester_is_skipped_and_no_rung_at_all_is_refused(world):
    Mandate.objects.create(
        municipality=world.eindhoven, channel=Channel.MAATWERKBUDGET, role=Role.WORKER, max_amount=5000
    )
    case = make_case(world.team_a)
    make_budget(world, amount="10000.00")
    with pytest.raises(ValidationError) as refused:
        request(world.alice, case, "100.00")  # only alice holds the one rung
    assert "amount" in refused.value.message_dict
    assert not SpendRequest.objects.exists()


def test_special_assistance_counts_only_named_rungs(ladder):
    world, case, _walter = ladder
    make_budget(world, channel=Channel.BIJZONDERE_BIJSTAND, amount="10000.00")
    spend = request(world.alice, case, "400.00", channel=Channel.BIJZONDERE_BIJSTAND)
    # The team lead's role row for special assistance does not count: lars, named, decides.
    assert spend.approver_mandate.user == world.lars


def test_a_switched_off_rung_sends_its_waiting_requests_on_to_the_next(ladder):
    world, case, walter = ladder
    spend = request(world.alice, case, "200.00")
    services.save_mandate(
        by=world.adam,
        municipality=world.eindhoven,
        mandate=spend.approver_mandate,
        channel=Channel.MAATWERKBUDGET,
        role=Role.TEAM_LEAD,
        max_amount="2500",
        active=False,
    )
    assert queries.waiting_for(world.dave) == []
    assert queries.waiting_for(walter) == [spend]


def test_the_person_named_in_a_mandate_sees_the_request_but_not_the_case(ladder, client_for):
    world, case, walter = ladder
    spend = request(world.alice, case, "3000.00")
    lawful_check(spend, world.lars)
    c = client_for(walter)
    page = c.get(reverse("budgets:approvals"))
    assert page.status_code == 200 and spend.reference in page.content.decode()
    assert c.get(reverse("budgets:spend", args=[spend.pk])).status_code == 200
    assert c.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client_for(world.erin).get(reverse("budgets:spend", args=[spend.pk])).status_code == 404


def test_the_request_form_says_who_approves_the_amount_typed(ladder, client_for):
    world, case, _walter = ladder
    url = reverse("budgets:route_preview", args=[case.pk])
    alice = client_for(world.alice)
    big = alice.get(url, {"amount": "6.500,00", "channel": Channel.MAATWERKBUDGET}).content.decode()
    assert "College van B en W (Walter Wethouder)" in big and "toets" in big
    small = alice.get(url, {"amount": "100", "channel": Channel.MAATWERKBUDGET}).content.decode()
    assert "Dave" in small and "toets" in small
    bad = alice.get(url, {"amount": "zes", "channel": Channel.MAATWERKBUDGET})
    assert bad.status_code == 200 and "bedrag" in bad.content.decode().lower()
    assert client_for(world.bob).get(url, {"amount": "100"}).status_code == 404
    form = alice.get(reverse("budgets:spend_new", args=[case.pk])).content.decode()
    assert "College van B en W" in form  # the whole ladder, also without JavaScript


def test_the_administrator_changes_the_ladder_with_an_audit_row_others_only_read_it(ladder, client_for):
    world, _case, walter = ladder
    new = reverse("budgets:mandate_new", args=[world.eindhoven.pk])
    page = client_for(world.dave).get(reverse("budgets:mandates")).content.decode()
    assert "College van B en W" in page and new not in page
    assert client_for(world.dave).post(new, {}).status_code == 404
    assert client_for(world.alice).get(reverse("budgets:mandates")).status_code == 403
    adam = client_for(world.adam)
    data = {"channel": Channel.MAATWERKBUDGET, "title": "Manager sociaal domein", "user": world.erin.pk}
    refused = adam.post(new, data | {"max_amount": "veel"})
    assert refused.status_code == 422 and 'name="max_amount"' in refused.content.decode()
    assert 'aria-invalid="true"' in refused.content.decode()
    assert not Mandate.objects.filter(title="Manager sociaal domein").exists()
    assert adam.post(new, data | {"max_amount": "10.000,00", "active": "on"}).status_code == 302
    rung = Mandate.objects.get(title="Manager sociaal domein")
    assert rung.max_amount == Decimal("10000.00") and rung.user == world.erin
    log = AccessLog.objects.filter(object_type="budgets.mandate", object_id=str(rung.pk)).get()
    assert log.user == world.adam and log.changes["max_amount"] == [None, "10000.00"]
    both = adam.post(new, data | {"role": Role.TEAM_LEAD, "max_amount": "1"})
    assert both.status_code == 422
    other = reverse("budgets:mandate_edit", args=[world.utrecht.pk, rung.pk])
    assert adam.get(other).status_code == 404


def test_the_threshold_of_the_check_is_changed_with_an_audit_row(ladder):
    world, _case, _walter = ladder
    rule = services.set_check_threshold(
        by=world.adam, municipality=world.eindhoven, channel=Channel.MAATWERKBUDGET, above_amount="2.500,00"
    )
    assert LegalityCheckRule.objects.get(pk=rule.pk).above_amount == Decimal("2500.00")
    assert AccessLog.objects.filter(object_type="budgets.legalitycheckrule", user=world.adam).exists()
    with pytest.raises(PermissionDenied):
        services.set_check_threshold(
            by=world.dave, municipality=world.eindhoven, channel=Channel.MAATWERKBUDGET, above_amount="1"
        )
    with pytest.raises(ValidationError) as bad:
        services.set_check_threshold(
            by=world.adam, municipality=world.eindhoven, channel="geen", above_amount="-5"
        )
    assert set(bad.value.message_dict) == {"channel", "above_amount"}


def test_an_approval_from_a_higher_rung_freezes_the_business_case_it_rests_on(ladder):
    from maatwerk.businesscases import services as bc_services
    from maatwerk.businesscases.tests.factories import childcare_plan

    world, case, walter = ladder
    version = bc_services.save_version(case, by=world.alice, plan=childcare_plan())
    spend = request(world.alice, case, "3000.00", business_case_version=version)
    lawful_check(spend, world.lars)
    services.approve_spend(spend, by=walter)  # Walter is not in the case's team
    version.refresh_from_db()
    assert version.frozen and version.frozen_by == walter


def test_the_api_says_who_must_approve_an_amount_before_it_is_requested(ladder, client_for):
    world, case, walter = ladder
    url = f"/api/v1/budget/cases/{case.pk}/route"
    alice = client_for(world.alice)
    answer = alice.get(url, {"amount": "6500.00"}).json()
    assert answer["approver"] == "College van B en W (Walter Wethouder)"
    assert answer["needs_legality_check"] and answer["refusal"] is None
    assert alice.get(url, {"amount": "-1"}).status_code == 422
    assert alice.get(url, {"amount": "10", "channel": "geen"}).status_code == 422
    assert client_for(world.bob).get(url, {"amount": "10"}).status_code == 404
