"""Template filters for points."""

from django import template

register = template.Library()


@register.filter
def signed(value: int) -> str:
    """Return a change of points with its sign and thousands separators (+1,200, -50)."""
    return f"{int(value):+,}"
