"""Template filters for the order pages and the orders on the customer's timeline."""

from django import template

from accounts.access import can_refund
from accounts.models import User

register = template.Library()


@register.filter
def may_refund(user: object) -> bool:
    """Return whether the signed-in user's role may refund orders (REFUND_ROLES)."""
    return isinstance(user, User) and can_refund(user)
