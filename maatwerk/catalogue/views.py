from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Municipality, Role
from maatwerk.lib.prices import PER_DAY, PER_HOUR, periodic

from . import services
from .forms import CatalogueFilterForm
from .models import CONFIDENCE_HELP, Confidence, CostItem

# Who sees the cost overview: the people who weigh options for a household, and those who check them.
OVERVIEW_ROLES = frozenset({Role.WORKER, Role.TEAM_LEAD, Role.LEGAL_CHECKER, Role.POLICY})
MAX_COMPARE = 8
MAX_UNITS_PER_MONTH = Decimal(744)  # hours in 31 days: anything above is a typing error


def user_municipality(user, roles=OVERVIEW_ROLES) -> Municipality | None:
    """The municipality whose own amounts the user sees; with several, the first by name."""
    found = {
        m.municipality_id: m.municipality
        for m in tenancy.memberships(user)
        if m.role in roles and m.municipality
    }
    return sorted(found.values(), key=lambda m: m.name)[0] if found else None


def _units(raw: str | None) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value <= MAX_UNITS_PER_MONTH else None


@login_required
def overview(request):
    if not tenancy.has_role(request.user, *OVERVIEW_ROLES):
        raise PermissionDenied
    municipality = user_municipality(request.user)
    form = CatalogueFilterForm(request.GET or None)
    items = list(form.filter(CostItem.objects.active()))
    index = services.price_index()
    price_year = services.current_price_year(index)

    compare_codes = list(dict.fromkeys(request.GET.getlist("compare")))[:MAX_COMPARE]
    compare_items = {i.code: i for i in CostItem.objects.active().filter(code__in=compare_codes)}
    all_items = {i.code: i for i in items} | compare_items
    prices = services.prices_for(all_items.values(), municipality, index=index, to_year=price_year)

    rows = [{"item": i, "price": prices[i.code], "compared": i.code in compare_items} for i in items]
    comparison = []
    for code in compare_codes:
        item = compare_items.get(code)
        if item is None:
            continue
        price = prices[code]
        units = _units(request.GET.get(f"units_{code}")) if item.per in (PER_HOUR, PER_DAY) else None
        amounts = periodic(price.amount, item.per, units) if price.amount is not None else None
        comparison.append(
            {
                "item": item,
                "price": price,
                "amounts": amounts,
                "units": units,
                "needs_units": item.per in (PER_HOUR, PER_DAY),
            }
        )
    shown = {r["item"].code for r in rows}
    keep = request.GET.copy()
    for key in list(keep):
        if key == "compare" or key.startswith("units_"):
            del keep[key]
    context = {
        "title": _("Cost overview"),
        "form": form,
        "rows": rows,
        "comparison": comparison,
        # Ticked items that the current filter hides stay ticked.
        "hidden_compare": [c for c in compare_items if c not in shown],
        "municipality": municipality,
        "price_year": price_year,
        "index_status": next((s for y, s in services.price_index_status().items() if y == price_year), None),
        "legend": [(grade, label, CONFIDENCE_HELP[grade]) for grade, label in Confidence.choices],
        "max_compare": MAX_COMPARE,
        "clear_compare_query": keep.urlencode(),
    }
    template = "catalogue/overview.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "catalogue-results":
        template = "catalogue/_results.html"
    return render(request, template, context)
