"""Typed helpers that read settings from environment variables.

Each helper returns the default when the variable is unset or empty, and raises
ImproperlyConfigured naming the variable when it is set to something unusable, so a
misconfigured deployment fails at start-up instead of on the first request.
"""

import datetime
import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    """Return the variable as a string."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    """Return the variable as a number."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return the variable as a comma-separated list."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time(name: str, default: datetime.time) -> datetime.time:
    """Return the variable as a time of day (HH:MM or HH:MM:SS)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = datetime.time.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is not None:
        raise ImproperlyConfigured(f"{name} must be a time of day like 09:00, got {raw!r}")
    return value


def env_int_pairs(name: str, default: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Return the variable as pairs of whole numbers by key: "A:3/6,B:2/4" ->
    {"A": (3, 6), "B": (2, 4)}."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    pairs: dict[str, tuple[int, int]] = {}
    for item in (part.strip() for part in raw.split(",")):
        key, _colon, numbers = item.partition(":")
        first, _slash, second = numbers.partition("/")
        if not key.strip() or not first.strip().isdigit() or not second.strip().isdigit():
            raise ImproperlyConfigured(
                f"{name} must look like A:3/6,B:2/4 (key:number/number), got {item!r}"
            )
        pairs[key.strip()] = (int(first), int(second))
    return pairs


def env_decimal(name: str, default: str) -> Decimal:
    """Return the variable as an exact decimal number (an amount of money)."""
    raw = os.environ.get(name, "").strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a decimal number, got {raw!r}") from None
    if not value.is_finite():
        raise ImproperlyConfigured(f"{name} must be a decimal number, got {raw!r}")
    return value
