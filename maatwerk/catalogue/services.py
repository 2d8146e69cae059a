"""What the rest of Maatwerk asks of the catalogue: prices for a municipality, imports, overrides.

The business-case editor calls :func:`current_amount` (one item) or :func:`prices_for` (many items);
both give an :class:`ItemPrice` that says where the figure came from. Changes go through
:func:`import_items`, :func:`save_override` and :func:`delete_override`: one transaction, one audit row.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Municipality
from maatwerk.lib import prices
from maatwerk.validation import parse_money

from .importer import ItemRow
from .models import CostItem, CostOverride, PriceIndex


def price_index() -> dict[int, Decimal]:
    """The CPI series as plain data (year → index)."""
    return dict(PriceIndex.objects.values_list("year", "index"))


def price_index_status() -> dict[int, str]:
    """Year → status label (final, provisional, estimate), to say so next to uprated amounts."""
    return {p.year: p.get_status_display() for p in PriceIndex.objects.all()}


def current_price_year(index: Mapping[int, Decimal] | None = None) -> int:
    """The year amounts are uprated to: setting MAATWERK_PRICE_YEAR if set, else the index's latest year.

    MAATWERK_PRICE_YEAR (optional, int): pin the "current" price year, e.g. to the budget year, when the
    index already holds a provisional figure for a later year.
    """
    index = price_index() if index is None else index
    pinned = getattr(settings, "MAATWERK_PRICE_YEAR", None)
    if pinned:
        return int(pinned)
    return prices.latest_year(index)


@dataclass(frozen=True)
class ItemPrice:
    """An item's amount for one municipality, uprated to the current price year, with its provenance.

    ``amount`` is in prices of ``year`` (the current price year). ``base_amount``/``base_year`` are the
    figure as published; ``source_url`` (and ``note`` for an override) say where it comes from.
    ``amount`` is ``None`` when the index has no figure for ``base_year``: then nothing is guessed.
    """

    code: str
    per: str
    amount: Decimal | None
    year: int
    base_amount: Decimal
    base_year: int
    source_url: str
    confidence: str
    is_override: bool
    note: str = ""
    national_amount: Decimal | None = None  # the catalogue figure when an override replaces it
    national_year: int | None = None


def _price(
    item: CostItem, override: CostOverride | None, index: Mapping[int, Decimal], to_year: int
) -> ItemPrice:
    base_amount, base_year = (override.amount, override.year) if override else (item.amount, item.year)
    try:
        amount = prices.uprate(base_amount, base_year, to_year, index)
    except prices.MissingIndexYear:
        amount = None
    return ItemPrice(
        code=item.code,
        per=item.per,
        amount=amount,
        year=to_year,
        base_amount=base_amount,
        base_year=base_year,
        # An override's source is its own link, or its note when the source is a document without one.
        source_url=override.source_url if override else item.source_url,
        confidence=item.confidence,
        is_override=override is not None,
        note=override.note if override else "",
        national_amount=item.amount if override else None,
        national_year=item.year if override else None,
    )


def prices_for(
    items: Iterable[CostItem], municipality: Municipality | int | None, *, index=None, to_year=None
) -> dict[str, ItemPrice]:
    """Prices for many items at once (two queries), keyed by item code."""
    items = list(items)
    index = price_index() if index is None else index
    to_year = current_price_year(index) if to_year is None else to_year
    overrides = {}
    municipality_id = getattr(municipality, "pk", municipality)
    if municipality_id:
        overrides = {
            o.item_id: o
            for o in CostOverride.objects.filter(
                municipality_id=municipality_id, item__in=[i.pk for i in items]
            )
        }
    return {item.code: _price(item, overrides.get(item.pk), index, to_year) for item in items}


def current_amount(item: CostItem | str, municipality: Municipality | int | None) -> ItemPrice:
    """One item's amount for a municipality in current prices: the override if there is one.

    ``item`` may be a code. ``(p.amount, p.year, p.source_url)`` is the short answer; the rest of the
    :class:`ItemPrice` is for showing where it came from.
    """
    if isinstance(item, str):
        item = CostItem.objects.get(code=item)
    return prices_for([item], municipality)[item.code]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_items(rows: list[ItemRow], *, by=None) -> ImportResult:
    """Upsert validated rows by code, all or nothing. Items missing from the file are left alone."""
    created = updated = unchanged = 0
    existing = {
        i.code: i for i in CostItem.objects.select_for_update().filter(code__in=[r.code for r in rows])
    }
    for row in rows:
        item = existing.get(row.code)
        if item is None:
            CostItem.objects.create(code=row.code, **row.values)
            created += 1
            continue
        changed = [f for f, v in row.values.items() if getattr(item, f) != v]
        if not changed:
            unchanged += 1
            continue
        for field in changed:
            setattr(item, field, row.values[field])
        item.full_clean()
        item.save()
        updated += 1
    log_access(
        by,
        action=AccessLog.Action.UPDATE,
        purpose=f"catalogue import: {created} new, {updated} updated, {unchanged} unchanged",
        object_type="catalogue.costitem",
        object_id="import",
    )
    return ImportResult(created, updated, unchanged)


def override_amount(value) -> Decimal:
    """A municipality's own amount: 0 up to the one maximum for money, whole cents; else a ValidationError."""
    errors: dict = {}
    amount = parse_money(value, "amount", errors)
    if errors:
        raise ValidationError(errors)
    return amount


@transaction.atomic
def save_override(
    *,
    item: CostItem,
    municipality: Municipality,
    amount: Decimal,
    year: int,
    note: str = "",
    source_url: str = "",
    by,
    request=None,
) -> tuple[CostOverride, bool]:
    """Create or change a municipality's own amount for an item; validated, logged."""
    override = CostOverride.objects.filter(item=item, municipality=municipality).first()
    created = override is None
    if created:
        override = CostOverride(item=item, municipality=municipality)
    override.amount = override_amount(amount)
    override.year = year
    override.note = note or ""
    override.source_url = source_url or ""
    override.updated_by = by if getattr(by, "is_authenticated", False) else None
    override.full_clean(validate_unique=False)
    override.save()
    log_access(
        by,
        override,
        action=AccessLog.Action.CREATE if created else AccessLog.Action.UPDATE,
        purpose=f"cost override {item.code}",
        request=request,
    )
    return override, created


@transaction.atomic
def delete_override(override: CostOverride, *, by, request=None) -> None:
    log_access(
        by,
        override,
        action=AccessLog.Action.DELETE,
        purpose=f"cost override {override.item.code} removed",
        request=request,
    )
    override.delete()
