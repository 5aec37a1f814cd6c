"""Turn one spreadsheet cell into a Python value, or say in the user's language why not.

Plain functions without Django models, so the per-row fast path stays cheap and the
Hypothesis test can call them with anything.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from sales.limits import MAX_ORDER_AMOUNT, MAX_QUANTITY

Cell = str | int | float | Decimal | datetime.date | datetime.datetime | bool | None


class CellError(ValueError):
    """Raised with a translated reason when a cell cannot be read as the field needs."""


# Excel counts days from 1899-12-30 (its 1900 leap-year bug included); serials in this
# range are the dates 1900-03-01 .. 2173-10-14, wide enough for birthdays and orders.
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIALS = range(61, 100_000)
FORMULA_START = "="
# A leading apostrophe is how our exports (and Excel) keep text from being a formula.
NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t")
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_CURRENCY = re.compile(r"^(?:¥|￥|RMB|CNY|\$|USD|元)?\s*([-+]?[\d,，\s]*\.?\d*)\s*(?:元|RMB|CNY)?$")


def text(value: Cell) -> str:
    """Return the cell as trimmed text; numbers lose a trailing ".0" Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    result = str(value).strip().replace("\x00", "")
    if result.startswith(NEUTRALISED):
        return result[1:]
    return result


def check_no_formula(value: str) -> None:
    """Raise when the text is a spreadsheet formula: we import values, never formulas."""
    if value.startswith(FORMULA_START) and len(value) > 1:
        raise CellError(_("Formulas are not imported; paste the value instead."))


def parse_date(value: Cell) -> datetime.date | None:
    """Return the date in a cell: an Excel date or serial, ISO, 2024/1/5 or 2024年1月5日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _from_serial(value)
    raw = text(value)
    if not raw:
        return None
    raw = _TIME_SUFFIX.sub("", raw)
    if raw.replace(".", "", 1).isdigit() and len(raw) <= 7:
        return _from_serial(Decimal(raw))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise CellError(_("%(value)s is not a real date.") % {"value": raw}) from None
    raise CellError(
        _("%(value)s is not a date (use 2024-01-31 or 2024年1月31日).") % {"value": raw}
    )


def _from_serial(value: float | int | Decimal) -> datetime.date:
    try:
        serial = int(value)
    except (ValueError, OverflowError, InvalidOperation):
        serial = -1
    if serial not in EXCEL_SERIALS:
        raise CellError(_("%(value)s is not a date.") % {"value": value})
    return EXCEL_EPOCH + datetime.timedelta(days=serial)


def parse_amount(value: Cell) -> Decimal | None:
    """Return a money amount (¥1,234.50, 1 234, RMB 12) rounded to cents; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("%(value)s is not an amount.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise CellError(_("%(value)s is not an amount.") % {"value": value}) from None
    else:
        raw = text(value)
        if not raw:
            return None
        match = _CURRENCY.match(raw.replace("\u00a0", " "))
        digits = match.group(1) if match else ""
        digits = digits.replace(",", "").replace("，", "").replace(" ", "")
        if not digits or digits in "+-.":
            raise CellError(_("%(value)s is not an amount.") % {"value": raw})
        try:
            amount = Decimal(digits)
        except InvalidOperation:
            raise CellError(_("%(value)s is not an amount.") % {"value": raw}) from None
    if not amount.is_finite():
        raise CellError(_("%(value)s is not an amount.") % {"value": value})
    # An amount is an order's (one line's): at most sales.limits.MAX_ORDER_AMOUNT.
    if abs(amount) > MAX_ORDER_AMOUNT or abs(amount.quantize(Decimal("0.01"))) > MAX_ORDER_AMOUNT:
        raise CellError(
            _("%(value)s is too large; an amount must be less than 10,000,000,000.")
            % {"value": value}
        )
    return amount.quantize(Decimal("0.01"))


def parse_quantity(value: Cell) -> int | None:
    """Return a whole positive quantity; None when empty."""
    if value is None or value == "":
        return None
    raw = text(value)
    if not raw:
        return None
    try:
        number = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise CellError(_("%(value)s is not a quantity.") % {"value": raw}) from None
    if not number.is_finite() or number != number.to_integral_value() or number < 1:
        raise CellError(_("The quantity must be a whole number of at least 1."))
    if number > MAX_QUANTITY:
        raise CellError(_("The quantity is too large."))
    return int(number)


def neutralise(value: object) -> object:
    """Return a value safe to put in a spreadsheet cell: text that a spreadsheet would run
    as a formula (= + - @ tab) gets a leading apostrophe; numbers and dates pass through."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value
