"""Template filters of the insights pages."""

from django import template

from insights.forms import SEGMENT_LABELS

register = template.Library()


@register.filter
def segment_label(code: str) -> str:
    """Return the translated name of an RFM segment."""
    return str(SEGMENT_LABELS.get(code, code))
