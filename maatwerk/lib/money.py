"""Money as Decimal: one rounding rule and one display format for the whole project (no Django).

After pretix' ``base/decimal.py``: every euro amount that is stored or shown goes through
:func:`round_money` (cents, half up) and every amount shown to a person through :func:`format_eur`.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

CENT = Decimal("0.01")

# The one maximum for a euro amount that enters the app: a spend, a budget allocation, a catalogue or
# municipal amount, a business-case flow, a barrier's cost at stake, a payment. Every amount column is
# DecimalField(max_digits=12, decimal_places=2), which holds at most MAX_STORED (ten digits before the
# comma). Amounts are also summed: a budget's allocations, a payment batch, a business case's routes
# (up to a few hundred flows over up to 600 months). Keeping one amount three orders of magnitude below the
# column leaves room for a thousand maximal amounts in one sum, and ten million euros is far beyond
# anything a neighbourhood team spends or saves for one household. A larger figure is a typing error (or
# an attack), and refusing it at entry is what keeps every page that shows sums from breaking later.
MAX_AMOUNT = Decimal("9999999.99")
# What a DecimalField(max_digits=12, decimal_places=2) column holds; sums are checked against it.
MAX_STORED = Decimal("9999999999.99")
# The hourly cost of a worker's time is multiplied by the hours registered on a case (up to a million in
# the column). The all-in rate of a wijkteam worker is about 75 euros and no professional in the social
# domain costs more than a few hundred an hour, so a thousand is generous and keeps hours × rate in range.
MAX_HOURLY_RATE = Decimal("1000.00")


class AmountError(ValueError):
    """Why a value is no acceptable amount.

    ``code`` is ``"invalid"`` (not a finite number), ``"decimals"`` (more than two decimals), ``"below"`` or
    ``"above"`` (outside the bounds); ``limit`` is the bound that was crossed. Callers turn the code into a
    message in the user's language that names their field (this module has no translations).
    """

    def __init__(self, code: str, limit: Decimal | None = None) -> None:
        super().__init__(code if limit is None else f"{code} {limit}")
        self.code = code
        self.limit = limit


def to_decimal(value) -> Decimal:
    """A Decimal from a Decimal, int, str or float. Floats go through ``str`` so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None


def parse_amount(value, *, minimum: Decimal | None = Decimal(0), maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """An amount as entered: finite, whole cents, within ``[minimum, maximum]``; raises :class:`AmountError`.

    Unlike :func:`round_money` nothing is rounded: 12,345 euros with three decimals is more likely a typing
    error than an amount to round silently. ``minimum=None`` allows any amount down to ``-maximum``.
    """
    try:
        amount = to_decimal(value)
    except (TypeError, ValueError, InvalidOperation):
        raise AmountError("invalid") from None
    if not amount.is_finite():
        raise AmountError("invalid")
    # The bounds first: quantizing an absurdly large number would itself overflow the decimal context.
    if amount > maximum:
        raise AmountError("above", maximum)
    lowest = -maximum if minimum is None else minimum
    if amount < lowest:
        raise AmountError("below", lowest)
    if amount != amount.quantize(CENT):
        raise AmountError("decimals")
    return amount.quantize(CENT)


def round_money(value) -> Decimal:
    """Round to whole cents, half away from zero (ROUND_HALF_UP): 0.005 → 0.01, -0.005 → -0.01."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# Separators per language: (thousands, decimal, space between the euro sign and the number).
_FORMATS = {
    "nl": (".", ",", " "),
    "en": (",", ".", ""),
}


def format_eur(value, language: str = "nl", *, decimals: int = 2) -> str:
    """``€ 1.234,56`` in Dutch, ``€1,234.56`` in English; a minus sign goes after the euro sign.

    ``decimals=0`` rounds to whole euros (half up) for summaries where cents are noise.
    """
    if value is None or value == "":
        return ""
    amount = to_decimal(value)
    if not amount.is_finite():
        return "—"  # an amount stored before input was bounded; shown, never a crash
    with localcontext() as context:
        # Enough digits for any finite amount: the default 28 would make quantize fail above 10**26.
        context.prec = max(context.prec, amount.adjusted() + 4)
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        if decimals == 0:
            amount = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    thousands, point, space = _FORMATS.get((language or "nl").split("-")[0].lower(), _FORMATS["nl"])
    sign = "-" if amount < 0 else ""
    whole, _dot, fraction = f"{abs(amount):.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    number = thousands.join(groups) + (point + fraction if decimals else "")
    return f"€{space}{sign}{number}"
