"""What loyalty adds to other apps' extension points and events (registered in ready())."""

from core import events
from loyalty import points


def register() -> None:
    """Earn points on paid orders and take them back on refunds, from every write path."""
    events.subscribe_batch("order.paid", "loyalty.earn", points.orders_paid)
    events.subscribe("order.refunded", "loyalty.reverse", points.orders_refunded)
    events.subscribe("order.deleted", "loyalty.reverse_deleted", points.orders_refunded)
    events.subscribe("order.status_changed", "loyalty.reverse_cancelled", points.order_left_paid)
