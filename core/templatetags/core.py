"""Template filters for money and small display helpers."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()

# Symbols as each language writes them: Chinese readers need "US$" to tell dollars from yuan.
SYMBOLS = {
    "en": {"CNY": "¥", "USD": "$", "EUR": "€"},
    "zh-hans": {"CNY": "¥", "USD": "US$", "EUR": "€"},
}


@register.filter
def money(value: object, places: int = 2) -> str:
    """Return the amount with the currency symbol and thousands separators."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    symbols = SYMBOLS.get(get_language() or "en", SYMBOLS["en"])
    symbol = symbols.get(settings.CURRENCY, settings.CURRENCY + " ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.{int(places)}f}"


@register.filter
def days_since(stats: object, today: object) -> int:
    """Return the days since the last purchase in a purchase summary."""
    return int(stats.days_since_last_purchase(today))  # type: ignore[attr-defined]


@register.filter
def percent(value: object, places: int = 1) -> str:
    """Return a ratio as a percentage, or a dash when there is none."""
    if value is None or value == "":
        return "—"
    return f"{float(str(value)) * 100:.{int(places)}f}%"
