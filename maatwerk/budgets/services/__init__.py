"""Every change to budgets and spend requests, one function per verb (after Zulip's `zerver/actions` and
pretix's `base/services`), in one module per concern:

- `budgets`: budgets and their allocations;
- `spends`: spend requests, from request to payment and its reversal;
- `checks`: legality checks;
- `batches`: payment batches (the SEPA export, marked paid or withdrawn);
- `mandates`: the mandate ladder and the legality-check thresholds;
- `locking` and `common`: the locks and idempotent retries, and the checks, audit row and booking
  every service shares.

Each function takes the acting user as keyword-only `by`, runs in one transaction, validates before it
writes (a `ValidationError` with a {field: Dutch message} dict, nothing half-saved) and writes an
AccessLog row. "You may not" (role, mandate, four eyes) is a `PermissionDenied` with a Dutch message, as in
the other apps: the API answers 403 and the pages show the 403 page. Views and the API fetch objects
through `tenancy` first; who may approve, reject, check, cancel, export and pay (the mandate and the
separation of duties), which budget a request draws on and whether it needs a legality check is asked of
`rules`, which the pages ask too.

Money only moves through ledger entries; a booking that would take the available balance below zero is
refused while the budget row is locked, so concurrent approvals cannot overspend.

Callers import from here (`from maatwerk.budgets import services; services.approve_spend(...)`).
"""

from ..rules import approval_refusal, budget_for, needs_legality_check
from .batches import MAX_EXECUTION_DAYS_AHEAD, export_payment_batch, mark_batch_paid, withdraw_batch
from .budgets import (
    BUDGET_YEARS_AROUND_TODAY,
    MAX_BUDGET_PERIOD_DAYS,
    allocate,
    balances,
    create_budget,
    reverse_allocation,
)
from .checks import latest_check, record_legality_check
from .common import MAX_AMOUNT, MAX_REASON, user_label
from .locking import payload_hash
from .mandates import save_mandate, set_check_threshold
from .spends import (
    PAYMENT_RELEASE_NOTE,
    approve_spend,
    cancel_spend,
    open_commitment,
    pay_spend,
    reject_spend,
    request_spend,
    reverse_payment,
)

__all__ = [
    "BUDGET_YEARS_AROUND_TODAY",
    "MAX_AMOUNT",
    "MAX_BUDGET_PERIOD_DAYS",
    "MAX_EXECUTION_DAYS_AHEAD",
    "MAX_REASON",
    "PAYMENT_RELEASE_NOTE",
    "allocate",
    "approval_refusal",
    "approve_spend",
    "balances",
    "budget_for",
    "cancel_spend",
    "create_budget",
    "export_payment_batch",
    "latest_check",
    "mark_batch_paid",
    "needs_legality_check",
    "open_commitment",
    "pay_spend",
    "payload_hash",
    "record_legality_check",
    "reject_spend",
    "request_spend",
    "save_mandate",
    "set_check_threshold",
    "reverse_allocation",
    "reverse_payment",
    "user_label",
    "withdraw_batch",
]
