"""Template filters for money, counts and small display helpers."""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

# Symbols as each language writes them: Chinese readers need "US$" to tell dollars from yuan.
SYMBOLS = {
    "en": {"CNY": "¥", "USD": "$", "EUR": "€"},
    "zh-hans": {"CNY": "¥", "USD": "US$", "EUR": "€"},
}


def currency_symbol() -> str:
    """Return the currency's symbol as the active language writes it ("$", "US$", "¥")."""
    symbols = SYMBOLS.get(get_language() or "en", SYMBOLS["en"])
    return symbols.get(settings.CURRENCY, settings.CURRENCY + " ")


@register.filter
def money(value: object, places: int = 2) -> str:
    """Return the amount with the currency symbol and thousands separators."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency_symbol()}{abs(amount):,.{int(places)}f}"


@register.filter
def count(value: object, places: int = 0) -> str:
    """Return a count with thousands separators (23,570), as both languages write it.

    `places` keeps decimals for a figure that is a count on average (12,345.6 predicted).
    """
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{number:,.{int(places)}f}"


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


@register.filter
def points(value: object, places: int = 1) -> str:
    """Return a difference of two rates in signed percentage points (+5.0 pp), or a dash."""
    if value is None or value == "":
        return "—"
    return _("%(value)s pp") % {"value": f"{float(str(value)) * 100:+.{int(places)}f}"}
