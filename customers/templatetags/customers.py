"""Template filters of the customer archive."""

from django import template

from customers.history import HistoryLine, in_words
from customers.models import ProfileChange

register = template.Library()


@register.filter
def history_line(change: ProfileChange) -> HistoryLine:
    """Return the history row in the reader's words (who, what, before, after)."""
    return in_words(change)
