"""Catalogue API: items for everyone who works with the cost overview; overrides for the municipality's
functional administrator only. Another municipality's override answers 404, like everything else."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Municipality, Role
from maatwerk.api.base import Error
from maatwerk.lib.money import MAX_AMOUNT

from . import services
from .models import MAX_YEAR, MIN_YEAR, CostItem, CostOverride
from .views import OVERVIEW_ROLES, user_municipality

router = Router(tags=["catalogue"])

# Reading the catalogue: the overview's roles plus the administrators who keep it.
READ_ROLES = OVERVIEW_ROLES | {Role.ADMIN}


class ItemOut(Schema):
    code: str
    name_nl: str
    name_en: str
    name: str
    amount: Decimal = Field(
        description="Amount as published (or the municipality's own), in prices of `year`"
    )
    per: str
    unit_note: str
    year: int
    current_amount: Decimal | None = Field(description="`amount` uprated with the CPI to `current_year`")
    current_year: int
    payer: str
    domain: str
    confidence: str
    confidence_help: str
    source_url: str
    override: bool = Field(description="True when the amount is your municipality's own")
    override_note: str
    national_amount: Decimal
    national_year: int
    active: bool


class OverrideIn(Schema):
    item_code: str
    amount: Decimal = Field(ge=0, le=MAX_AMOUNT, max_digits=12, decimal_places=2)
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    note: str = Field("", max_length=300)
    source_url: str = Field("", max_length=500)
    municipality_id: int | None = Field(
        None, description="Needed only if you administer several municipalities"
    )


class OverrideOut(Schema):
    id: int
    item_code: str
    municipality_id: int
    amount: Decimal
    year: int
    note: str
    source_url: str


def _require(request, roles) -> None:
    if not tenancy.has_role(request.user, *roles):
        raise HttpError(403, _("Your role does not give access to this."))


def _item_out(item: CostItem, price: services.ItemPrice) -> dict:
    return {
        "code": item.code,
        "name_nl": item.name_nl,
        "name_en": item.name_en,
        "name": item.name,
        "amount": price.base_amount,
        "per": item.per,
        "unit_note": item.unit_note,
        "year": price.base_year,
        "current_amount": price.amount,
        "current_year": price.year,
        "payer": item.payer,
        "domain": item.domain,
        "confidence": item.confidence,
        "confidence_help": item.confidence_help,
        "source_url": price.source_url,
        "override": price.is_override,
        "override_note": price.note,
        "national_amount": item.amount,
        "national_year": item.year,
        "active": item.active,
    }


def _override_out(o: CostOverride) -> dict:
    return {
        "id": o.pk,
        "item_code": o.item.code,
        "municipality_id": o.municipality_id,
        "amount": o.amount,
        "year": o.year,
        "note": o.note,
        "source_url": o.source_url,
    }


@router.get(
    "/items",
    response={200: list[ItemOut], 403: Error},
    summary="Cost items, with your municipality's own amounts",
)
def list_items(
    request,
    q: str = "",
    domain: str = "",
    payer: str = "",
    confidence: str = "",
    include_inactive: bool = False,
):
    _require(request, READ_ROLES)
    items = CostItem.objects.all() if include_inactive else CostItem.objects.active()
    items = items.search(q)
    for field, value in (("domain", domain), ("payer", payer), ("confidence", confidence)):
        if value:
            items = items.filter(**{field: value})
    items = list(items)
    prices = services.prices_for(items, user_municipality(request.user, READ_ROLES))
    return [_item_out(i, prices[i.code]) for i in items]


@router.get(
    "/items/{code}", response={200: ItemOut, 403: Error}, summary="One cost item (also a deactivated one)"
)
def get_item(request, code: str):
    _require(request, READ_ROLES)
    item = get_object_or_404(CostItem, code=code)
    return _item_out(item, services.current_amount(item, user_municipality(request.user, READ_ROLES)))


def _admin_municipalities(request) -> set[int]:
    ids = tenancy.municipality_ids(request.user, {Role.ADMIN})
    if not ids:
        raise HttpError(
            403, _("Only the functional administrator of a municipality manages its own amounts.")
        )
    return ids


def _own_override(request, override_id: int) -> CostOverride:
    ids = _admin_municipalities(request)
    return tenancy.get_for_user_or_404(
        CostOverride.objects.select_related("item").filter(municipality_id__in=ids),
        request.user,
        pk=override_id,
    )


@router.get(
    "/overrides",
    response={200: list[OverrideOut], 403: Error},
    summary="Your municipality's own amounts (administrators)",
)
def list_overrides(request):
    ids = _admin_municipalities(request)
    return [
        _override_out(o) for o in CostOverride.objects.select_related("item").filter(municipality_id__in=ids)
    ]


@router.post(
    "/overrides", response={201: OverrideOut}, summary="Set your municipality's own amount for an item"
)
def create_override(request, payload: OverrideIn):
    ids = _admin_municipalities(request)
    municipality_id = payload.municipality_id
    if municipality_id is None:
        if len(ids) > 1:
            raise Http404  # ambiguous; the caller must say which of its municipalities
        (municipality_id,) = ids
    if municipality_id not in ids:
        raise Http404
    municipality = Municipality.objects.get(pk=municipality_id)
    item = get_object_or_404(CostItem, code=payload.item_code)
    if CostOverride.objects.filter(municipality=municipality, item=item).exists():
        raise ValidationError({"item_code": [_("This item already has an own amount; change that one.")]})
    override, _created = services.save_override(
        item=item,
        municipality=municipality,
        amount=payload.amount,
        year=payload.year,
        note=payload.note,
        source_url=payload.source_url,
        by=request.user,
        request=request,
    )
    return Status(201, _override_out(override))


@router.put("/overrides/{override_id}", response=OverrideOut, summary="Change your municipality's own amount")
def update_override(request, override_id: int, payload: OverrideIn):
    override = _own_override(request, override_id)
    if payload.item_code != override.item.code:
        raise ValidationError({"item_code": [_("The item of an own amount cannot change.")]})
    override, _created = services.save_override(
        item=override.item,
        municipality=override.municipality,
        amount=payload.amount,
        year=payload.year,
        note=payload.note,
        source_url=payload.source_url,
        by=request.user,
        request=request,
    )
    return _override_out(override)


@router.delete(
    "/overrides/{override_id}", response={204: None}, summary="Remove your municipality's own amount"
)
def delete_override(request, override_id: int):
    override = _own_override(request, override_id)
    services.delete_override(override, by=request.user, request=request)
    return Status(204, None)
