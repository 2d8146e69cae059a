"""Money as Decimal: one rounding rule and one display format for the whole project (no Django).

After pretix' ``base/decimal.py``: every euro amount that is stored or shown goes through
:func:`round_money` (cents, half up) and every amount shown to a person through :func:`format_eur`.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


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
    amount = round_money(value)
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
