"""Maatwerkbudget: budgets, spend requests, mandates, legality checks and the append-only ledger.

Rows change only through `maatwerk.budgets.services`. Balances are never stored: they are derived from
the ledger by the pure `maatwerk.lib.ledger.balances()`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import AppendOnlyModel, AppendOnlyQuerySet, Municipality, Role, Team
from maatwerk.lib import ledger
from maatwerk.lib.money import format_eur, round_money
from maatwerk.validation import parse_money

MONEY = {"max_digits": 12, "decimal_places": 2}


class Channel(models.TextChoices):
    MAATWERKBUDGET = "maatwerkbudget", _("maatwerk budget (rule-free)")
    BIJZONDERE_BIJSTAND = "bijzondere_bijstand", _("special assistance (Participatiewet)")


class LegalBasis(models.TextChoices):
    PW_ART35 = "pw_art35", _("Participatiewet art. 35 (special assistance)")
    PW_ART48_LOAN = "pw_art48_2", _("Participatiewet art. 48 paragraph 2 (as a loan)")
    PW_ART16 = "pw_art16", _("Participatiewet art. 16 (very urgent reasons)")
    WMO = "wmo_maatwerk", _("Wmo 2015 customised provision")
    JEUGDWET = "jeugdwet", _("Jeugdwet")
    MUNICIPAL = "municipal_regulation", _("municipal regulation")
    RULE_FREE = "rule_free", _("rule-free maatwerk budget")


# Special assistance is a decision under the Participatiewet: only these bases fit that channel.
PARTICIPATIEWET_BASES = frozenset({LegalBasis.PW_ART35, LegalBasis.PW_ART48_LOAN, LegalBasis.PW_ART16})


class Budget(models.Model):
    """An amount for a team (or, without a team, the whole municipality) for a period, from one channel."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name=_("team"),
        help_text=_("Empty for a budget of the whole municipality."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-period_start", "channel", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "team", "channel", "period_start"], name="budget_unique_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="budget_period"
            ),
        ]

    def __str__(self) -> str:
        where = self.team.name if self.team_id else self.municipality.name
        period = f"{self.period_start:%d-%m-%Y}/{self.period_end:%d-%m-%Y}"
        return f"{self.get_channel_display()} — {where} — {period}"

    def balances(self) -> ledger.Balances:
        return ledger.balances(LedgerEntry.objects.filter(budget=self).as_rows())


def _money_field_errors(**values) -> dict:
    """The one maximum for money on amounts an administrator types in the admin, whose forms call the
    model's clean(): whole cents, not negative."""
    errors: dict = {}
    for field, value in values.items():
        if value is not None:
            parse_money(value, field, errors)
    return errors


class Mandate(models.Model):
    """One rung of a municipality's mandate ladder for a channel: who may approve spend requests up to
    which amount.

    A row names either a role (any holder of that role in the request's team, or municipality for
    municipal roles) or one person (a mandated civil servant: a manager or director of the social domain,
    or whoever decides for the college). Special assistance only counts rows that name a person: it is a
    formal decision that only a mandated civil servant may take. The rungs are ordered by their amount
    (`rules.ladder`); a request goes to the lowest rung that covers it and has someone to approve it.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mandated person"),
    )
    title = models.CharField(
        _("name of the rung"),
        max_length=100,
        blank=True,
        help_text=_("As the workers know it, e.g. “Manager sociaal domein” or “College van B en W”."),
    )
    max_amount = models.DecimalField(
        _("may approve up to"), **MONEY, null=True, blank=True, help_text=_("Empty: no upper limit.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="") | Q(user__isnull=False), name="mandate_role_or_user"
            ),
        ]

    def __str__(self) -> str:
        limit = format_eur(self.max_amount) if self.max_amount is not None else "∞"
        return f"{self.municipality} — {self.get_channel_display()} — {self.label} ≤ {limit}"

    @property
    def label(self) -> str:
        """The rung as a worker reads it: its name, else the role or the person."""
        if self.title:
            return self.title
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return str(self.get_role_display())

    def clean(self) -> None:
        super().clean()
        if errors := _money_field_errors(max_amount=self.max_amount):
            raise ValidationError(errors)


class LegalityCheckRule(models.Model):
    """Above which amount a spend request also needs a legality check (rechtmatigheidstoets)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    above_amount = models.DecimalField(_("check required above"), **MONEY)

    class Meta:
        verbose_name = _("legality check rule")
        verbose_name_plural = _("legality check rules")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "channel"], name="legality_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.municipality} — {self.get_channel_display()} > {self.above_amount}"

    def clean(self) -> None:
        super().clean()
        if errors := _money_field_errors(above_amount=self.above_amount):
            raise ValidationError(errors)


class SpendStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    PAID = "paid", _("paid")
    CANCELLED = "cancelled", _("cancelled")


class PayeeKind(models.TextChoices):
    BANK = "bank", _("bank transfer")
    IN_KIND = "in_kind", _("in kind")


class Kind(models.TextChoices):
    """What the money is for, in kinds a municipality can weigh against each other ("what yields most?").
    The purpose says it in the worker's words; the kind is what the dashboards count."""

    RENT_ARREARS = "rent_arrears", _("rent arrears")
    ENERGY = "energy", _("energy arrears")
    DEBTS = "debts", _("debts and fines")
    CHILDCARE = "childcare", _("childcare")
    TRANSPORT = "transport", _("transport to work")
    EDUCATION = "education", _("education and work")
    HOUSING = "housing", _("housing and furnishing")
    CARE = "care", _("care and health")
    OTHER = "other", _("other")


class SpendRequest(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="spend_requests", verbose_name=_("budget")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="spend_requests", verbose_name=_("case")
    )
    business_case_version = models.ForeignKey(
        "businesscases.BusinessCaseVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business-case version"),
    )
    value_triangle = models.ForeignKey(
        "businesscases.ValueTriangle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("value triangle"),
        help_text=_("Required when the request deviates from the policy rules."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    payee_kind = models.CharField(
        _("payee"), max_length=10, choices=PayeeKind.choices, default=PayeeKind.BANK
    )
    creditor_name = models.CharField(_("creditor name"), max_length=70, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    purpose = models.CharField(_("purpose"), max_length=140)
    kind = models.CharField(_("kind of maatwerk"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    deviates_from_policy = models.BooleanField(_("deviates from policy rules"), default=False)
    deviation_motivation = models.TextField(_("motivation of the deviation"), blank=True)
    needs_legality_check = models.BooleanField(_("needs a legality check"), default=False)
    approver_mandate = models.ForeignKey(
        Mandate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to be approved under"),
        help_text=_("The rung of the mandate ladder the request was routed to when it was made."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SpendStatus.choices, default=SpendStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by"),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spend request")
        verbose_name_plural = _("spend requests")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status"], name="spend_team_status"),
            models.Index(fields=["municipality", "status"], name="spend_municipality_status"),
        ]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spend_amount_positive")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"U-{self.pk:06d}" if self.pk else "U-new"

    @property
    def household_id(self) -> int | None:
        # `services.locking.lock_spend` reads the household id along with the row (`case_household_id`).
        annotated = getattr(self, "case_household_id", None)
        if annotated is not None:
            return annotated
        return self.case.household_id if self.case_id else None

    @property
    def frozen(self) -> bool:
        return self.status in (SpendStatus.PAID, SpendStatus.REJECTED, SpendStatus.CANCELLED)


class Verdict(models.TextChoices):
    LAWFUL = "lawful", _("lawful")
    UNLAWFUL = "unlawful", _("not lawful")


class LegalityCheck(AppendOnlyModel):
    """A rechtmatigheidstoets on one spend request; a new check supersedes the previous one."""

    spend = models.ForeignKey(
        SpendRequest,
        on_delete=models.PROTECT,
        related_name="legality_checks",
        verbose_name=_("spend request"),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    legal_basis_ok = models.BooleanField(_("the legal basis fits"))
    mandate_ok = models.BooleanField(_("within the mandate"))
    deviation_ok = models.BooleanField(_("deviation from policy is motivated (or there is none)"))
    prior_provisions_considered = models.BooleanField(_("prior provisions were considered"))
    amount_reasonable = models.BooleanField(_("the amount is reasonable"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("legality check")
        verbose_name_plural = _("legality checks")
        ordering = ["-checked_at", "-id"]


class EntryKind(models.TextChoices):
    ALLOCATION = ledger.ALLOCATION, _("allocation")
    COMMITMENT = ledger.COMMITMENT, _("commitment")
    PAYMENT = ledger.PAYMENT, _("payment")
    RELEASE = ledger.RELEASE, _("release")
    REVERSAL = ledger.REVERSAL, _("reversal")


class LedgerQuerySet(AppendOnlyQuerySet):
    def as_rows(self) -> list[tuple]:
        """(kind, summed amount, reversed kind) per group: input for `ledger.balances()`."""
        rows = (
            self.order_by()
            .values("kind", "reverses__kind")
            .annotate(total=models.Sum("amount"))
            .values_list("kind", "total", "reverses__kind")
        )
        # SQLite sums decimals as binary floats (5.53 comes back as 5.52999999999999). Every amount
        # has whole cents and a total stays far below 15 significant digits, so rounding the sum to
        # cents gives the exact decimal sum; on PostgreSQL (numeric) it changes nothing.
        return [(kind, round_money(total), reverses) for kind, total, reverses in rows]


class LedgerEntry(AppendOnlyModel):
    objects = LedgerQuerySet.as_manager()

    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="entries", verbose_name=_("budget")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    spend = models.ForeignKey(
        SpendRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("spend request"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["budget", "kind"], name="ledger_budget_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind=ledger.REVERSAL, reverses__isnull=False)
                | (~Q(kind=ledger.REVERSAL) & Q(reverses__isnull=True)),
                name="ledger_reversal_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.budget_id})"


class BatchStatus(models.TextChoices):
    EXPORTED = "exported", _("exported, not marked paid yet")
    PAID = "paid", _("paid")
    WITHDRAWN = "withdrawn", _("withdrawn")


class PaymentBatchQuerySet(AppendOnlyQuerySet):
    def open(self):
        """Exported and neither marked paid nor withdrawn: its spends are not exported again."""
        return self.filter(closure__isnull=True)


class PaymentBatch(AppendOnlyModel):
    """One exported SEPA credit-transfer file (pain.001): which approved spends went to the bank together.

    Append-only like the ledger: what was exported stays as it was exported, and the file can be
    produced again from these rows with the same message id. Whether the batch was paid or withdrawn is
    one `PaymentBatchClosure` row; a batch without one is open.
    """

    objects = PaymentBatchQuerySet.as_manager()

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    execution_date = models.DateField(_("execution date"))
    debtor_name = models.CharField(_("account holder (debtor)"), max_length=70)
    debtor_iban = models.CharField(_("debit account IBAN"), max_length=34)
    debtor_bic = models.CharField(_("BIC"), max_length=11, blank=True)
    total = models.DecimalField(_("total"), **MONEY)
    count = models.PositiveIntegerField(_("number of payments"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("exported by")
    )
    created_at = models.DateTimeField(_("exported at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0) & Q(total__gt=0), name="batch_not_empty")
        ]

    def __str__(self) -> str:
        return self.message_id

    @property
    def status(self) -> str:
        closure = getattr(self, "closure", None)
        return closure.outcome if closure is not None else BatchStatus.EXPORTED

    def get_status_display(self) -> str:
        return BatchStatus(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == BatchStatus.EXPORTED


class PaymentBatchItemQuerySet(AppendOnlyQuerySet):
    def in_open_batches(self):
        return self.filter(batch__closure__isnull=True)


class PaymentBatchItem(AppendOnlyModel):
    """One spend request in a payment batch, with the amount that went into the file."""

    objects = PaymentBatchItemQuerySet.as_manager()

    batch = models.ForeignKey(
        PaymentBatch, on_delete=models.PROTECT, related_name="items", verbose_name=_("payment batch")
    )
    spend = models.ForeignKey(
        SpendRequest, on_delete=models.PROTECT, related_name="batch_items", verbose_name=_("spend request")
    )
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("payment in a batch")
        verbose_name_plural = _("payments in a batch")
        ordering = ["batch", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "spend"], name="batch_item_unique")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.spend_id}"


class PaymentBatchClosure(AppendOnlyModel):
    """The end of a payment batch: marked paid (every spend paid in one go) or withdrawn (a reason).

    One per batch at most (the one-to-one key), so a batch is closed once and stays closed.
    """

    batch = models.OneToOneField(
        PaymentBatch, on_delete=models.PROTECT, related_name="closure", verbose_name=_("payment batch")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=BatchStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)

    class Meta:
        verbose_name = _("closure of a payment batch")
        verbose_name_plural = _("closures of payment batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=[BatchStatus.PAID, BatchStatus.WITHDRAWN]),
                name="batch_closure_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.outcome}"


class IdempotencyKey(models.Model):
    """A retried call with the same (key, action) and body returns the first result and books nothing again.

    The result is a spend request, or a payment batch for the batch actions.
    """

    key = models.CharField(_("idempotency key"), max_length=100)
    action = models.CharField(_("action"), max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    spend = models.ForeignKey(SpendRequest, on_delete=models.PROTECT, related_name="+", null=True)
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="+", null=True)
    # SHA-256 of the first request's canonical payload: the same key with another body is refused.
    # Empty for keys stored before it was kept.
    payload_hash = models.CharField(_("payload hash"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["key", "action"], name="idempotency_unique"),
            models.CheckConstraint(
                condition=Q(spend__isnull=False, batch__isnull=True)
                | Q(spend__isnull=True, batch__isnull=False),
                name="idempotency_one_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.key}"
