from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maatwerk.accounts.models import AccessLog, AppendOnlyError
from maatwerk.budgets import services
from maatwerk.budgets.models import Channel, LedgerEntry, SpendStatus, Verdict

from .factories import lawful_check, make_budget, request


def test_request_approve_pay_books_the_ledger(setup):
    world, case, budget = setup
    spend = request(world.alice, case, "300.00")
    assert spend.status == SpendStatus.REQUESTED and not spend.needs_legality_check
    services.approve_spend(spend, by=world.dave)
    b = budget.balances()
    assert (b.allocated, b.committed, b.paid, b.available) == (
        Decimal("1000"),
        Decimal("300"),
        Decimal("0"),
        Decimal("700"),
    )
    services.pay_spend(spend, by=world.adam)
    b = budget.balances()
    assert (b.committed, b.paid, b.available) == (Decimal("0"), Decimal("300"), Decimal("700"))
    spend.refresh_from_db()
    assert spend.status == SpendStatus.PAID and spend.frozen
    assert AccessLog.objects.filter(object_type="budgets.spendrequest", purpose="pay spend").exists()


def test_same_idempotency_key_books_once(setup):
    world, case, budget = setup
    first = request(world.alice, case, "100.00", idempotency_key="req-1")
    again = request(world.alice, case, "100.00", idempotency_key="req-1")
    assert first.pk == again.pk
    services.approve_spend(first, by=world.dave, idempotency_key="appr-1")
    services.approve_spend(first, by=world.dave, idempotency_key="appr-1")
    services.pay_spend(first, by=world.adam, idempotency_key="pay-1")
    services.pay_spend(first, by=world.adam, idempotency_key="pay-1")
    assert LedgerEntry.objects.filter(spend=first, kind="commitment").count() == 1
    assert LedgerEntry.objects.filter(spend=first, kind="payment").count() == 1
    assert budget.balances().available == Decimal("900")


def test_approving_twice_without_key_is_refused(setup):
    world, case, _ = setup
    spend = request(world.alice, case)
    services.approve_spend(spend, by=world.dave)
    with pytest.raises(ValidationError) as exc:
        services.approve_spend(spend, by=world.dave)
    assert "status" in exc.value.message_dict


def test_nobody_approves_their_own_request(setup):
    world, case, _ = setup
    spend = request(world.dave, case)
    with pytest.raises(PermissionDenied, match="eigen aanvraag"):
        services.approve_spend(spend, by=world.dave)


def test_worker_approves_small_request_of_colleague_but_not_above_mandate(setup):
    world, case, _ = setup
    from conftest import make_user
    from maatwerk.accounts.models import Role

    colleague = make_user("wim", Role.WORKER, team=world.team_a)
    small = request(world.alice, case, "200.00")
    services.approve_spend(small, by=colleague)
    big = request(world.alice, case, "400.00")
    with pytest.raises(PermissionDenied) as exc:
        services.approve_spend(big, by=colleague)
    assert "boven uw mandaat" in str(exc.value)


def test_team_lead_above_mandate_is_refused(setup):
    world, case, budget = setup
    services.allocate(budget, by=world.adam, amount=Decimal("5000"))
    spend = request(world.alice, case, "3000.00")
    with pytest.raises(PermissionDenied, match="mandaat"):
        services.approve_spend(spend, by=world.dave)


def test_other_team_lead_has_no_mandate(setup):
    world, case, _ = setup
    spend = request(world.alice, case)
    with pytest.raises(PermissionDenied):
        services.approve_spend(spend, by=world.bob)


def test_special_assistance_needs_a_named_mandated_approver(setup):
    world, case, _ = setup
    make_budget(world, channel=Channel.BIJZONDERE_BIJSTAND, amount="2000.00")
    spend = request(world.alice, case, "200.00", channel=Channel.BIJZONDERE_BIJSTAND)
    with pytest.raises(PermissionDenied, match="gemandateerde"):
        services.approve_spend(spend, by=world.dave)  # team lead, but not a mandated civil servant
    services.approve_spend(spend, by=world.lars)
    spend.refresh_from_db()
    assert spend.status == SpendStatus.APPROVED


def test_special_assistance_needs_a_participatiewet_basis(setup):
    world, case, _ = setup
    make_budget(world, channel=Channel.BIJZONDERE_BIJSTAND, amount="2000.00")
    with pytest.raises(ValidationError) as exc:
        request(world.alice, case, channel=Channel.BIJZONDERE_BIJSTAND, legal_basis="rule_free")
    assert "legal_basis" in exc.value.message_dict


def test_legality_check_required_above_threshold(setup):
    world, case, budget = setup
    services.allocate(budget, by=world.adam, amount=Decimal("5000"))
    spend = request(world.alice, case, "1500.00")
    assert spend.needs_legality_check
    with pytest.raises(ValidationError) as exc:
        services.approve_spend(spend, by=world.dave)
    assert "legality_check" in exc.value.message_dict
    lawful_check(spend, world.lars)
    services.approve_spend(spend, by=world.dave)


def test_unlawful_verdict_needs_notes_and_blocks_approval(setup):
    world, case, budget = setup
    services.allocate(budget, by=world.adam, amount=Decimal("5000"))
    spend = request(world.alice, case, "1500.00")
    kwargs = dict(
        legal_basis_ok=False,
        mandate_ok=True,
        deviation_ok=True,
        prior_provisions_considered=False,
        amount_reasonable=True,
    )
    with pytest.raises(ValidationError):
        services.record_legality_check(spend, by=world.lars, verdict=Verdict.UNLAWFUL, **kwargs)
    services.record_legality_check(
        spend, by=world.lars, verdict=Verdict.UNLAWFUL, notes="Geen grondslag", **kwargs
    )
    with pytest.raises(ValidationError):
        services.approve_spend(spend, by=world.dave)


def test_rejection_needs_a_reason(setup):
    world, case, _ = setup
    spend = request(world.alice, case)
    with pytest.raises(ValidationError) as exc:
        services.reject_spend(spend, by=world.dave, reason=" ")
    assert "reason" in exc.value.message_dict
    services.reject_spend(spend, by=world.dave, reason="Voorliggende voorziening")
    spend.refresh_from_db()
    assert spend.status == SpendStatus.REJECTED


def test_cancelling_an_approved_request_releases_the_money(setup):
    world, case, budget = setup
    spend = request(world.alice, case, "400.00")
    services.approve_spend(spend, by=world.dave)
    assert budget.balances().available == Decimal("600")
    services.cancel_spend(spend, by=world.alice, reason="Niet meer nodig")
    assert budget.balances().available == Decimal("1000")


def test_overspend_is_refused_at_approval_with_the_available_amount(setup):
    world, case, _ = setup
    # Both fit when requested; the second no longer fits once the first is approved.
    first = request(world.alice, case, "900.00")
    spend = request(world.alice, case, "200.00")
    services.approve_spend(first, by=world.dave)
    with pytest.raises(ValidationError) as exc:
        services.approve_spend(spend, by=world.dave)
    assert "€ 100,00" in exc.value.message_dict["amount"][0]


def test_reverse_payment_recommits(setup):
    world, case, budget = setup
    spend = request(world.alice, case, "250.00")
    services.approve_spend(spend, by=world.dave)
    services.pay_spend(spend, by=world.adam)
    services.reverse_payment(spend, by=world.adam, reason="IBAN onbekend bij de bank")
    spend.refresh_from_db()
    b = budget.balances()
    assert spend.status == SpendStatus.APPROVED
    assert (b.committed, b.paid, b.available) == (Decimal("250"), Decimal("0"), Decimal("750"))
    services.pay_spend(spend, by=world.adam)
    assert budget.balances().paid == Decimal("250")


def test_reverse_allocation_refused_when_money_is_committed(setup):
    world, case, budget = setup
    services.approve_spend(request(world.alice, case, "500.00"), by=world.dave)
    allocation = LedgerEntry.objects.get(budget=budget, kind="allocation")
    with pytest.raises(ValidationError):
        services.reverse_allocation(allocation, by=world.adam, reason="Te veel")


def test_ledger_is_append_only(setup):
    _, _, budget = setup
    entry = LedgerEntry.objects.filter(budget=budget).first()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(budget=budget).update(amount=1)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(budget=budget).delete()


def test_invalid_iban_and_missing_purpose_are_reported_per_field(setup):
    world, case, _ = setup
    with pytest.raises(ValidationError) as exc:
        request(world.alice, case, iban="NL00ABNA0000000000", purpose="")
    assert set(exc.value.message_dict) >= {"iban", "purpose"}


def test_worker_of_other_team_cannot_request_for_the_case(setup):
    world, case, _ = setup
    with pytest.raises(PermissionDenied):
        request(world.bob, case)


def test_admin_site_lists_budget_models(world, client):
    from maatwerk.accounts.models import User

    User.objects.create_superuser("root", "root@example.org", "x-very-long-password")
    client.force_login(User.objects.get(username="root"), backend="django.contrib.auth.backends.ModelBackend")
    for model in ("mandate", "legalitycheckrule", "budget", "ledgerentry", "paymentbatch"):
        assert client.get(f"/beheer/budgets/{model}/").status_code == 200
