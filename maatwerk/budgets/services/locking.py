"""The locks that serialise bookings, and idempotent retries.

Lock order, everywhere: the budget(s) first, then the spend request(s), each in id order; a payment batch
before its budgets. Two services that book on the same budget then wait for each other instead of
deadlocking."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ..models import Budget, IdempotencyKey, PaymentBatch, SpendRequest


def lock_budget(budget_id: int) -> Budget:
    # The budget row is the lock that serialises every booking on this budget: on PostgreSQL
    # select_for_update makes a second approval wait here until the first commits, so the balance read
    # next is never stale. On SQLite select_for_update is a no-op, but settings open every transaction
    # with BEGIN IMMEDIATE, which already takes the database write lock before this read.
    return Budget.objects.select_for_update().get(pk=budget_id)


# Plain SQL for the budget lock an approval takes (see `hold_budget` for why); SQLite has no FOR UPDATE
# (settings open every transaction with BEGIN IMMEDIATE instead).
_HOLD_BUDGET = "SELECT id FROM budgets_budget WHERE id = %s"


def hold_budget(budget_id: int) -> None:
    """`lock_budget` for a caller that needs only the lock, not the row (an approval books by id).

    The same lock (see there) in plain SQL: building a Budget through the ORM cost ten times the
    statement itself (about 0.25 ms against 0.02 ms of Python).
    """
    sql = _HOLD_BUDGET + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [budget_id])
        if cursor.fetchone() is None:
            raise Budget.DoesNotExist(f"budget {budget_id}")


def lock_spend(spend_id: int) -> SpendRequest:
    # OF self: the rung the request was routed to (for the rules) and the case's household (for the audit
    # row) are read along in the same statement, not locked: an approval has no reason to wait for a
    # change to the case. Only the household id, not the case: building a Case of 22 fields was a third of
    # an approval's ORM time (bench/README.md).
    return (
        SpendRequest.objects.select_for_update(of=("self",))
        .select_related("approver_mandate")
        .annotate(case_household_id=F("case__household_id"))
        .get(pk=spend_id)
    )


def payload_hash(payload: dict) -> str:
    """SHA-256 of the request's canonical form: the validated, normalised arguments as sorted JSON.

    Normalised, so that a retry that writes the IBAN with spaces or the amount as "150" instead of
    "150.00" is still the same request; the hash, not the payload, is stored (no personal data).
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)  # ASCII: \u escapes
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def idempotent(
    action: str, key: str | None, by, body, *, payload: dict, lock=None, result_field: str = "spend"
):
    """Run `body()` once per (key, action); it returns a SpendRequest, or what `result_field` names.

    A retry with the same `payload` finds the key and returns the first result without booking; the
    same key with another payload is refused (a client that reuses keys would otherwise get the answer
    to a request it did not send). Two concurrent first calls race on the unique (key, action) index:
    the loser's whole transaction rolls back (IntegrityError) and it returns the winner's result.
    `lock()` is taken before the key is looked up, so a retry that waited for the first call's lock sees
    its key once it gets the lock.
    """
    if not key:
        with transaction.atomic():
            return body()
    key = str(key)[:100]
    digest = payload_hash(payload)

    def existing():
        row = IdempotencyKey.objects.select_related(result_field).filter(key=key, action=action).first()
        if row is None:
            return None
        if row.user_id != by.pk:
            raise ValidationError({"idempotency_key": _("This idempotency key was used by someone else.")})
        # Keys stored before the hash was kept (empty) are taken as matching.
        if row.payload_hash and row.payload_hash != digest:
            raise ValidationError(
                {
                    "idempotency_key": _(
                        "This idempotency key was already used for a request with other content. "
                        "Use a new key for a new request."
                    )
                }
            )
        return getattr(row, result_field)

    try:
        with transaction.atomic():
            if lock is not None:
                lock()
            found = existing()
            if found is not None:
                return found
            result = body()
            IdempotencyKey.objects.create(
                key=key, action=action, user=by, payload_hash=digest, **{result_field: result}
            )
            return result
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found


def lock_batch(batch_id: int) -> PaymentBatch:
    # The batch row serialises closing it: a second "mark paid" (a double click, a retry without key)
    # waits here and then finds the closure.
    return PaymentBatch.objects.select_for_update().get(pk=batch_id)
