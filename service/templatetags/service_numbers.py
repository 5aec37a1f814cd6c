"""Template filters of the service numbers' pages."""

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: Mapping[Any, Any], key: Any) -> Any:
    """Return the mapping's value for the key, or None."""
    return mapping.get(key)
