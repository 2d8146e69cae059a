"""Separate duties: requester × legality checker × approver × payer, every combination of people.

Forbidden: the requester checks, approves or pays their own request; the approver pays or exports what
they approved; anyone but the administrator pays. Allowed: a legality checker who also approves or pays
(the check comes before the decision, and the payer is not the approver).
"""

import itertools
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import make_user
from maatwerk.accounts.models import Membership, Role
from maatwerk.budgets import rules, services
from maatwerk.budgets.models import LedgerEntry, SpendStatus

from .factories import EXECUTION_DATE, lawful_check, make_budget, make_case, request, standard_mandates

DEBTOR = {"debtor_name": "Gemeente Eindhoven", "debtor_iban": "NL02ABNA0123456789"}
# Above the team lead's check threshold (€ 1.000) and within their mandate (€ 2.500).
AMOUNT = "1500.00"


def _also(user, role, world, *, team=True):
    Membership.objects.create(
        user=user, role=role, team=world.team_a if team else None, municipality=world.eindhoven
    )
    user._maatwerk_memberships = None  # the memberships cached on the object
    return user


@pytest.fixture
def people(world):
    """The named users plus a second team lead (tess), an administrator who is also team lead of team A
    (ada) and a legality checker who is also team lead of team A (lena)."""
    standard_mandates(world.eindhoven)
    budget = make_budget(world, amount="900000.00")
    tess = make_user("tess", Role.TEAM_LEAD, team=world.team_a)
    ada = _also(make_user("ada", Role.ADMIN, municipality=world.eindhoven), Role.TEAM_LEAD, world)
    lena = _also(make_user("lena", Role.LEGAL_CHECKER, municipality=world.eindhoven), Role.TEAM_LEAD, world)
    return {
        "world": world,
        "budget": budget,
        "requesters": [world.alice, world.dave, ada, lena],
        "checkers": [world.lars, lena],
        "approvers": [world.dave, tess, ada, lena],
        "payers": [world.adam, ada],
    }


def _pay(route, spend, by):
    if route == "single":
        return services.pay_spend(spend, by=by)
    batch = services.export_payment_batch(
        by=by, municipality=spend.municipality, execution_date=EXECUTION_DATE, **DEBTOR
    )
    return services.mark_batch_paid(batch, by=by)


def _refused(step):
    """The step is refused as "you may not" (403) and changes nothing."""
    entries = LedgerEntry.objects.count()
    with pytest.raises(PermissionDenied) as caught:
        step()
    assert str(caught.value)
    assert LedgerEntry.objects.count() == entries


@pytest.mark.parametrize("route", ["single", "batch"])
def test_every_forbidden_combination_is_refused_and_every_allowed_one_passes(people, route):
    world = people["world"]
    combinations = itertools.product(
        people["requesters"], people["checkers"], people["approvers"], people["payers"]
    )
    outcomes = {"paid": 0, "refused": 0}
    for requester, checker, approver, payer in combinations:
        spend = request(requester, make_case(world.team_a), AMOUNT, purpose="Kinderopvang")
        assert spend.needs_legality_check
        label = f"{requester}/{checker}/{approver}/{payer}"
        if checker == requester:
            _refused(partial(lawful_check, spend, checker))
            outcomes["refused"] += 1
            continue
        lawful_check(spend, checker)
        if approver == requester:
            _refused(partial(services.approve_spend, spend, by=approver))
            outcomes["refused"] += 1
            continue
        services.approve_spend(spend, by=approver)
        spend.refresh_from_db()
        if payer in (requester, approver):
            _refused(partial(_pay, route, spend, payer))
            spend.refresh_from_db()
            assert spend.status == SpendStatus.APPROVED, label
            # Out of the way of the next combination's batch.
            services.cancel_spend(spend, by=requester, reason="test")
            outcomes["refused"] += 1
            continue
        _pay(route, spend, payer)
        spend.refresh_from_db()
        assert (spend.status, spend.paid_by, spend.decided_by) == (SpendStatus.PAID, payer, approver), label
        outcomes["paid"] += 1
    # 4 × 2 × 4 × 2 combinations; lena checking her own request, approvers approving their own, and the
    # administrator-team-lead paying what she requested or approved are the refused ones.
    assert outcomes == {"paid": 35, "refused": 29}


def test_a_team_lead_who_approved_may_not_pay_and_no_team_lead_pays_outside_a_batch(people):
    world = people["world"]
    spend = request(world.alice, make_case(world.team_a), "200.00")
    services.approve_spend(spend, by=world.dave)
    for lead in (world.dave, people["approvers"][1]):
        with pytest.raises(PermissionDenied, match="functioneel beheerder"):
            services.pay_spend(spend, by=lead)
    services.pay_spend(spend, by=world.adam)


def test_an_administrator_who_approved_is_told_why_and_another_administrator_exports(people):
    world = people["world"]
    ada = people["payers"][1]
    spend = request(world.alice, make_case(world.team_a), "200.00")
    services.approve_spend(spend, by=ada)
    spend.refresh_from_db()
    assert "gescheiden taken" in rules.payment_refusal(spend, ada)
    with pytest.raises(PermissionDenied, match="door u aangevraagd of goedgekeurd"):
        services.export_payment_batch(
            by=ada, municipality=world.eindhoven, execution_date=EXECUTION_DATE, **DEBTOR
        )
    batch = services.export_payment_batch(
        by=world.adam, municipality=world.eindhoven, execution_date=EXECUTION_DATE, **DEBTOR
    )
    # Exported by adam, marked paid by ada: still her own approval, so nothing is booked.
    with pytest.raises(ValidationError) as caught:
        services.mark_batch_paid(batch, by=ada)
    assert "gescheiden taken" in caught.value.message_dict["payer"][0]
    assert not LedgerEntry.objects.filter(kind="payment").exists()
    services.mark_batch_paid(batch, by=world.adam)


def test_an_export_leaves_out_what_the_exporting_administrator_approved(people):
    world = people["world"]
    ada = people["payers"][1]
    theirs = request(world.alice, make_case(world.team_a), "200.00")
    services.approve_spend(theirs, by=world.dave)
    own = request(world.alice, make_case(world.team_a), "300.00")
    services.approve_spend(own, by=ada)
    batch = services.export_payment_batch(
        by=ada, municipality=world.eindhoven, execution_date=EXECUTION_DATE, **DEBTOR
    )
    assert list(batch.items.values_list("spend_id", flat=True)) == [theirs.pk]


def test_the_spend_page_shows_the_approver_no_pay_button_but_the_reason(people, client_for):
    world = people["world"]
    ada = people["payers"][1]
    spend = request(world.alice, make_case(world.team_a), "200.00")
    services.approve_spend(spend, by=ada)
    url = reverse("budgets:spend", kwargs={"pk": spend.pk})
    page = client_for(ada).get(url).content.decode()
    assert "Als betaald markeren" not in page and "gescheiden taken" in page
    assert "Als betaald markeren" in client_for(world.adam).get(url).content.decode()
    # A team lead no longer gets the button either.
    assert "Als betaald markeren" not in client_for(world.dave).get(url).content.decode()
    response = client_for(ada).post(reverse("budgets:spend_action", kwargs={"pk": spend.pk, "action": "pay"}))
    assert response.status_code == 403
    assert "gescheiden taken" in response.content.decode()


def test_a_second_worker_is_not_offered_forms_the_services_would_refuse(people, client_for):
    world = people["world"]
    wim = make_user("wim", Role.WORKER, team=world.team_a)
    spend = request(world.alice, make_case(world.team_a), "400.00")  # above the worker mandate (€ 250)
    page = client_for(wim).get(reverse("budgets:spend", kwargs={"pk": spend.pk})).content.decode()
    assert "boven uw mandaat" in page
    assert "/reject/" not in page and "/approve/" not in page
    assert rules.rejection_refusal(spend, wim) is not None
    with pytest.raises(PermissionDenied):
        services.reject_spend(spend, by=wim, reason="nee")
    # The team lead is offered both, and may.
    page = client_for(world.dave).get(reverse("budgets:spend", kwargs={"pk": spend.pk})).content.decode()
    assert "/reject/" in page and "/approve/" in page


def test_the_api_answers_403_when_a_team_lead_pays(people, client_for):
    world = people["world"]
    spend = request(world.alice, make_case(world.team_a), "200.00")
    services.approve_spend(spend, by=world.dave)
    response = client_for(world.dave).post(f"/api/v1/budget/spends/{spend.pk}/pay")
    assert response.status_code == 403
    assert "functioneel beheerder" in response.json()["detail"]


def test_the_payments_page_says_why_an_administrator_may_not_export_their_own_approvals(people, client_for):
    world = people["world"]
    ada = people["payers"][1]
    spend = request(world.alice, make_case(world.team_a), "200.00")
    services.approve_spend(spend, by=ada)
    form = {"municipality": world.eindhoven.pk, "execution_date": EXECUTION_DATE.isoformat(), **DEBTOR}
    response = client_for(ada).post(reverse("budgets:batch_create"), form)
    assert response.status_code == 403
    assert "een andere beheerder exporteert haar" in response.content.decode()
    assert client_for(world.adam).post(reverse("budgets:batch_create"), form).status_code == 302
