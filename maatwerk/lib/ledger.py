"""Budget ledger arithmetic: entries in, balances out (no Django).

The accounting
--------------
Every ledger entry has a kind and a positive amount. Five kinds exist:

``allocation``
    Money put into the budget by an administrator. Raises *available*.
``commitment``
    Booked when a spend request is approved: the money is earmarked for that request. Lowers *available*.
``payment``
    Booked when an approved request is paid. A payment converts a commitment into a payment, so it is
    always booked together with a ``release`` of the same amount (in the same transaction): the release
    gives the earmark back, the payment takes the money out. Lowers *available*.
``release``
    Gives (part of) a commitment back: when an approved request is cancelled, or when it is paid (see
    above). Raises *available*.
``reversal``
    Undoes one earlier entry (never another reversal), for the same amount. It counts as a negative entry
    of the kind it reverses: reversing a payment lowers *paid* (the money comes back), reversing an
    allocation lowers *allocated*. Reversing a payment also reverses the release booked with it, which
    puts the commitment back: the request is approved-but-unpaid again.

With every term taken net of its reversals::

    available = allocated - committed_gross - paid + released        (the identity)
    committed = committed_gross - released                            (still earmarked, not yet paid)

so that ``available = allocated - committed - paid``: what is left is what was allocated minus what is
earmarked minus what went out. The services refuse any booking that would make ``available`` negative
(a commitment larger than what is available, or the reversal of an allocation that was already spent),
and ``released`` never exceeds the gross commitments, so ``committed`` is never negative either: the
same fold over one spend request's own entries gives what that request still holds committed, and a
cancellation releases exactly that (a request that was never approved releases nothing).

`balances()` also accepts pre-aggregated rows (one per kind with the summed amount): sums of sums are
sums, which is how the services compute a balance with one GROUP BY inside the locked transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ALLOCATION = "allocation"
COMMITMENT = "commitment"
PAYMENT = "payment"
RELEASE = "release"
REVERSAL = "reversal"
KINDS = (ALLOCATION, COMMITMENT, PAYMENT, RELEASE, REVERSAL)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entry:
    kind: str
    amount: Decimal
    # For a reversal: the kind of the entry it reverses.
    reverses: str | None = None


@dataclass(frozen=True)
class Balances:
    allocated: Decimal = ZERO
    committed_gross: Decimal = ZERO
    paid: Decimal = ZERO
    released: Decimal = ZERO
    reversed: Decimal = ZERO

    @property
    def committed(self) -> Decimal:
        """Earmarked for approved requests that are not paid yet."""
        return self.committed_gross - self.released

    @property
    def available(self) -> Decimal:
        return self.allocated - self.committed_gross - self.paid + self.released

    @property
    def exhausted(self) -> bool:
        return self.available <= 0

    def as_dict(self) -> dict[str, Decimal]:
        return {
            "allocated": self.allocated,
            "committed": self.committed,
            "paid": self.paid,
            "released": self.released,
            "reversed": self.reversed,
            "available": self.available,
        }


def _as_entry(item) -> Entry:
    if isinstance(item, Entry):
        return item
    if isinstance(item, dict):
        return Entry(item["kind"], Decimal(item["amount"]), item.get("reverses"))
    kind, amount, *rest = item
    return Entry(kind, Decimal(amount), rest[0] if rest else None)


def balances(entries: Iterable) -> Balances:
    """Fold ledger entries (Entry, dicts or (kind, amount[, reverses]) tuples) into balances."""
    totals = dict.fromkeys((ALLOCATION, COMMITMENT, PAYMENT, RELEASE), ZERO)
    reversed_total = ZERO
    for item in entries:
        entry = _as_entry(item)
        if entry.amount < 0:
            raise ValueError("ledger amounts are positive; a correction is a reversal")
        if entry.kind == REVERSAL:
            if entry.reverses not in totals:
                raise ValueError(f"a reversal must reverse one of {sorted(totals)}, not {entry.reverses!r}")
            totals[entry.reverses] -= entry.amount
            reversed_total += entry.amount
        elif entry.kind in totals:
            totals[entry.kind] += entry.amount
        else:
            raise ValueError(f"unknown ledger entry kind {entry.kind!r}")
    return Balances(
        allocated=totals[ALLOCATION],
        committed_gross=totals[COMMITMENT],
        paid=totals[PAYMENT],
        released=totals[RELEASE],
        reversed=reversed_total,
    )
