from decimal import Decimal

import pytest

from maatwerk.lib import ledger


def test_payment_converts_a_commitment():
    b = ledger.balances(
        [
            ("allocation", Decimal("1000")),
            ("commitment", Decimal("300")),
            ("release", Decimal("300")),
            ("payment", Decimal("300")),
        ]
    )
    assert b.available == Decimal("700")
    assert b.committed == Decimal("0")
    assert b.paid == Decimal("300")


def test_reversing_a_payment_and_its_release_recommits():
    b = ledger.balances(
        [
            ("allocation", Decimal("1000")),
            ("commitment", Decimal("300")),
            ("release", Decimal("300")),
            ("payment", Decimal("300")),
            ("reversal", Decimal("300"), "payment"),
            ("reversal", Decimal("300"), "release"),
        ]
    )
    assert (b.available, b.committed, b.paid, b.reversed) == (
        Decimal("700"),
        Decimal("300"),
        Decimal("0"),
        Decimal("600"),
    )


def test_cancel_releases():
    b = ledger.balances([("allocation", "50"), ("commitment", "20"), ("release", "20")])
    assert b.available == Decimal("50") and b.committed == 0


def test_negative_amounts_and_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        ledger.balances([("allocation", "-1")])
    with pytest.raises(ValueError):
        ledger.balances([("gift", "1")])
    with pytest.raises(ValueError):
        ledger.balances([("reversal", "1", "reversal")])
