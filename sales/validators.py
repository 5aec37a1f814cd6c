"""The plausible range of an order's date, checked by the form, the API and the import."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# No shop's records reach back further; an earlier date is a typo or a placeholder
# (0001-01-01), and would become the customer's first purchase.
EARLIEST_ORDER_DATE = datetime.date(1900, 1, 1)


def latest_order_date() -> datetime.date:
    """Return the latest plausible order date: tomorrow, for a customer ahead in time zones."""
    return timezone.localdate() + datetime.timedelta(days=1)


def validate_order_date(day: datetime.date) -> None:
    """Refuse an order date before 1900 or after tomorrow."""
    if day < EARLIEST_ORDER_DATE:
        raise ValidationError(
            _("The order date cannot be before %(date)s.")
            % {"date": EARLIEST_ORDER_DATE.isoformat()},
            code="too_early",
        )
    if day > latest_order_date():
        raise ValidationError(_("The order date cannot be in the future."), code="future")
