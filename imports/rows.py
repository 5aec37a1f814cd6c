"""The per-row fast path: one spreadsheet row in, a clean record or its errors out.

Plain Python per row (no model instances, no full_clean), so a million rows validate in
seconds. The checks mirror the model's: the same mobile normaliser, lengths, choices,
no birthdays in the future, no negative amounts.
"""

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.fields import max_length
from core.text import control_characters_message, has_control_characters
from customers.extensions import creation_fields
from customers.models import Customer, Gender, Language
from customers.models import Kind as CustomerKind
from customers.validators import normalize_mobile, validate_time_zone
from imports.cells import (
    Cell,
    CellError,
    check_no_formula,
    parse_amount,
    parse_date,
    parse_quantity,
    text,
)
from imports.mapping import column_indexes
from imports.models import Kind
from sales.limits import MAX_QUANTITY
from sales.models import Order, OrderStatus, Product
from sales.validators import EARLIEST_ORDER_DATE, latest_order_date, validate_order_date

MOBILE_CELL_LIMIT = 40
# Text limits: each column's from its model field (one source of truth); notes (a TextField)
# and the tags cell (many tag names) have no column limit, so the import sets one.
TEXT_LIMITS = {
    **{
        name: max_length(Customer, name)
        for name in (
            "name", "wechat_id", "company", "title", "region", "city", "address",
            "source_channel", "external_id", "email", "time_zone",
        )
    },
    "notes": 10_000,
    # A mobile is normalised before it is stored; the raw cell may carry spaces and a prefix.
    "customer_mobile": MOBILE_CELL_LIMIT,
    "owner": max_length(User, "username"),
    "tags": 1000,
    "number": max_length(Order, "number"),
    "channel": max_length(Order, "channel"),
    "customer_external_id": max_length(Customer, "external_id"),
    "customer_name": max_length(Customer, "name"),
    # A product cell holds a SKU or a product's name.
    "product": max(max_length(Product, "sku"), max_length(Product, "name")),
}  # fmt: skip
TAG_SEPARATORS = (",", "，", ";", "；", "、", "|")
EARLIEST = datetime.date(1900, 1, 1)
CENT = Decimal("0.01")
# The fast path's shapes: strict ASCII subsets of what cells.parse_date and parse_amount
# accept, so a value they match reads the same either way; anything else takes the slow path.
_FAST_DATE = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
# At most ten digits before the point: never above sales.limits.MAX_ORDER_AMOUNT.
_FAST_AMOUNT = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?")
# The order fields the fast path reads as text, with their length limits.
ORDER_LIMITS = tuple(
    (name, TEXT_LIMITS[name])
    for name in (
        "number",
        "customer_external_id",
        "customer_mobile",
        "customer_name",
        "channel",
        "product",
    )
)
ORDER_VALUES = ("ordered_on", "amount", "quantity", "status")
# Bounds on the fast path's caches: a hostile file cannot make them grow without limit.
FAST_CACHE_SIZE = 100_000


@dataclass(frozen=True)
class RowError:
    """Why a row cannot be imported: its spreadsheet row, the field (or "") and the reason."""

    row: int
    column: str
    reason: str


@dataclass
class CustomerRow:
    row: int
    id: int | None = None
    external_id: str = ""
    mobile: str = ""
    # Model field -> clean value, only for the fields the file maps.
    fields: dict[str, Any] = field(default_factory=dict)
    owner: str = ""
    tags: list[str] | None = None
    # Other apps' inputs for a new customer (customers.extensions.creation_fields), by name.
    extras: dict[str, str] = field(default_factory=dict)


@dataclass
class OrderRow:
    row: int
    number: str
    customer_external_id: str
    customer_mobile: str
    customer_name: str
    ordered_on: datetime.date
    product: str | None
    quantity: int
    amount: Decimal
    status: str
    channel: str


Parsed = CustomerRow | OrderRow | list[RowError]


def _choices(choices: Sequence[tuple[str, Any]], extra: Mapping[str, str]) -> dict[str, str]:
    """Return text -> value for a choice field: values, labels in every language, extras."""
    found = {key.lower(): value for key, value in extra.items()}
    for value, label in choices:
        found[str(value).lower()] = str(value)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                found[str(label).lower()] = str(value)
    return found


class RowParser:
    """Parse rows of one file, given its headers and the field -> header mapping."""

    def __init__(self, kind: str, headers: Sequence[str], mapping: Mapping[str, str]) -> None:
        self.kind = kind
        self.headers = list(headers)
        self.columns = column_indexes(mapping, headers)
        self.width = len(headers)
        self.genders = _choices(
            Gender.choices,
            {"f": "female", "m": "male", "女性": "female", "男性": "male", "未知": ""},
        )
        self.kinds = _choices(
            CustomerKind.choices, {"个人": "person", "企业": "company", "公司": "company"}
        )
        self.languages = _choices(
            Language.choices,
            {
                "中文": "zh-hans", "简体中文": "zh-hans", "chinese": "zh-hans", "zh": "zh-hans",
                "zh-cn": "zh-hans", "英文": "en", "英语": "en", "english": "en",
            },
        )  # fmt: skip
        self.statuses = _choices(
            OrderStatus.choices,
            {
                "已支付": "paid",
                "已付款": "paid",
                "已完成": "paid",
                "completed": "paid",
                "已退款": "refunded",
                "退款": "refunded",
                "已取消": "cancelled",
                "取消": "cancelled",
                "canceled": "cancelled",
            },
        )
        self.today = timezone.localdate()
        self.fast = _FastOrders(self) if kind == Kind.ORDERS else None

    def parse(self, number: int, cells: Sequence[Cell]) -> Parsed:
        """Return the row as a record, or every error found in it (never raises)."""
        if self.fast is not None:
            fast_record = self.fast.parse(number, cells)
            if fast_record is not None:
                return fast_record
        errors: list[RowError] = []
        extra = [cell for cell in cells[self.width :] if text(cell)]
        if extra:
            errors.append(
                RowError(number, "", _("The row has more cells than the header has columns."))
            )
        reader = _Reader(self, number, cells, errors)
        record = self._customer(reader) if self.kind == Kind.CUSTOMERS else self._order(reader)
        return errors if errors or record is None else record

    # Customers ------------------------------------------------------------------------------

    def _customer(self, r: "_Reader") -> CustomerRow | None:
        record = CustomerRow(r.number)
        record.id = r.get("id", _int)
        record.external_id = r.get("external_id", _plain) or ""
        name = r.get("name", _plain)
        if not name and not r.failed("name"):
            r.error("name", _("The name is required."))
        else:
            record.fields["name"] = name
        for name_ in (
            "wechat_id",
            "company",
            "title",
            "region",
            "city",
            "address",
            "source_channel",
            "notes",
        ):
            value = r.get(name_, _plain)
            if value is not None:
                record.fields[name_] = value
        if "external_id" in self.columns:
            record.fields["external_id"] = record.external_id or None
        self._customer_choices(r, record)
        mobile = r.get("mobile", _mobile)
        if mobile is not None:
            record.fields["mobile"] = record.mobile = mobile
        email = r.get("email", _email)
        if email is not None:
            record.fields["email"] = email
        if "birthday" in self.columns:
            record.fields["birthday"] = r.get("birthday", self._birthday)
        record.owner = r.get("owner", _plain) or ""
        tags = r.get("tags", _plain)
        if tags is not None:
            record.tags = _split_tags(tags)
        for extra in creation_fields:
            value = r.get(extra.name, _plain)
            if value:
                record.extras[extra.name] = value
        return record

    def _customer_choices(self, r: "_Reader", record: CustomerRow) -> None:
        kind = r.get("kind", _choice(self.kinds, "person"))
        if kind is not None:
            record.fields["kind"] = kind
        gender = r.get("gender", _choice(self.genders, ""))
        if gender is not None:
            record.fields["gender"] = gender
        # A blank language keeps the customer's (a new one gets the default); a blank time
        # zone is the company's default zone.
        language = r.get("language", _choice(self.languages, ""))
        if language:
            record.fields["language"] = language
        time_zone = r.get("time_zone", _time_zone)
        if time_zone is not None:
            record.fields["time_zone"] = time_zone

    def _birthday(self, cell: Cell) -> datetime.date | None:
        day = parse_date(cell)
        if day is not None and day > self.today:
            raise CellError(_("A birthday cannot be in the future."))
        if day is not None and day < EARLIEST:
            raise CellError(_("%(value)s is not a real date.") % {"value": day})
        return day

    # Orders ---------------------------------------------------------------------------------

    def _order(self, r: "_Reader") -> OrderRow | None:
        number = r.get("number", _plain)
        if not number and not r.failed("number"):
            r.error("number", _("The order number is required."))
        external_id = r.get("customer_external_id", _plain) or ""
        mobile = r.get("customer_mobile", _mobile) or ""
        if not external_id and not mobile and not r.failed("customer_mobile"):
            column = (
                "customer_external_id"
                if "customer_external_id" in self.columns
                else "customer_mobile"
            )
            r.error(column, _("Give the customer's external ID or mobile."))
        ordered_on = r.get("ordered_on", self._order_date)
        if ordered_on is None and not r.failed("ordered_on"):
            r.error("ordered_on", _("The order date is required."))
        amount = r.get("amount", _amount)
        if amount is None and not r.failed("amount"):
            r.error("amount", _("The amount is required."))
        quantity = r.get("quantity", parse_quantity) or 1
        status = r.get("status", _choice(self.statuses, OrderStatus.PAID)) or OrderStatus.PAID
        channel = r.get("channel", _plain) or ""
        product = r.get("product", _plain) if "product" in self.columns else None
        customer_name = r.get("customer_name", _plain) or ""
        if r.errors or number is None or ordered_on is None or amount is None:
            return None
        return OrderRow(
            r.number,
            number,
            external_id,
            mobile,
            customer_name,
            ordered_on,
            product or None,
            quantity,
            amount,
            status,
            channel,
        )

    def _order_date(self, cell: Cell) -> datetime.date | None:
        day = parse_date(cell)
        if day is not None:
            try:
                validate_order_date(day)
            except ValidationError as error:
                raise CellError(error.messages[0]) from None
        return day


class _Reader:
    """Reads mapped cells of one row, turning each failure into a RowError for its column."""

    def __init__(
        self, parser: RowParser, number: int, cells: Sequence[Cell], errors: list[RowError]
    ) -> None:
        self.parser = parser
        self.number = number
        self.cells = cells
        self.errors = errors
        self.failed_fields: set[str] = set()

    def error(self, field_name: str, reason: str) -> None:
        self.failed_fields.add(field_name)
        self.errors.append(RowError(self.number, field_name, reason))

    def failed(self, field_name: str) -> bool:
        return field_name in self.failed_fields

    def get(self, field_name: str, convert: Callable[[Cell], Any]) -> Any:
        """Return the converted cell of a mapped field; None when unmapped or failing."""
        index = self.parser.columns.get(field_name)
        if index is None:
            return None
        cell = self.cells[index] if index < len(self.cells) else None
        try:
            if isinstance(cell, str):
                if has_control_characters(cell):
                    raise CellError(control_characters_message())
                check_no_formula(cell.strip())
            value = convert(cell)
            limit = TEXT_LIMITS.get(field_name)
            if limit and isinstance(value, str) and len(value) > limit:
                raise CellError(_("Longer than %(limit)d characters.") % {"limit": limit})
            return value
        except CellError as error:
            self.error(field_name, str(error))
            return None


def _plain(cell: Cell) -> str:
    return text(cell)


def _int(cell: Cell) -> int | None:
    raw = text(cell)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise CellError(_("%(value)s is not a Huitou ID.") % {"value": raw})
    return int(raw)


def _mobile(cell: Cell) -> str:
    raw = text(cell)
    if len(raw) > MOBILE_CELL_LIMIT:
        raise CellError(_("Enter a valid mobile number."))
    try:
        return normalize_mobile(raw)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None


def _email(cell: Cell) -> str:
    raw = text(cell)
    if raw:
        try:
            validate_email(raw)
        except ValidationError:
            raise CellError(_("Enter a valid email address.")) from None
    return raw


def _time_zone(cell: Cell) -> str:
    name = text(cell)
    try:
        validate_time_zone(name)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None
    return name


def _amount(cell: Cell) -> Decimal | None:
    amount = parse_amount(cell)
    if amount is not None and amount < 0:
        raise CellError(_("The amount cannot be negative."))
    return amount


def _choice(options: Mapping[str, str], default: str) -> Callable[[Cell], str]:
    def convert(cell: Cell) -> str:
        raw = text(cell)
        if not raw:
            return default
        value = options.get(raw.lower())
        if value is None:
            raise CellError(_("%(value)s is not one of the allowed values.") % {"value": raw})
        return value

    return convert


def _split_tags(raw: str) -> list[str]:
    for separator in TAG_SEPARATORS[1:]:
        raw = raw.replace(separator, TAG_SEPARATORS[0])
    return sorted({part.strip() for part in raw.split(TAG_SEPARATORS[0]) if part.strip()})


class _FastOrders:
    """Read an order row of plain text cells (a CSV row) in one go, or decline.

    A million-row file is nearly all clean text: ISO dates, plain amounts, known statuses.
    This reads such a row with a few string operations per field and no per-field calls
    through _Reader. It returns None for any row it is not sure about (a value that is not
    plain, would fail, or needs cleaning), and the full parser then reads that row and
    reports its errors, so records and errors are the same whichever path reads a row.
    """

    # An unmapped field reads the empty text appended after the row's cells.
    UNMAPPED = -1

    def __init__(self, parser: RowParser) -> None:
        column = {name: parser.columns.get(name, self.UNMAPPED) for name, _ in ORDER_LIMITS}
        column |= {name: parser.columns.get(name, self.UNMAPPED) for name in ORDER_VALUES}
        self.usable = "number" in parser.columns and "ordered_on" in parser.columns
        self.width = parser.width
        self.statuses = parser.statuses
        self.latest = latest_order_date()
        self.limits = [(column[name], limit) for name, limit in ORDER_LIMITS]
        self.number, self.external_id, self.name = (
            column[n] for n in ("number", "customer_external_id", "customer_name")
        )
        self.mobile, self.channel, self.product = (
            column[n] for n in ("customer_mobile", "channel", "product")
        )
        self.ordered_on, self.amount, self.quantity, self.status = (column[n] for n in ORDER_VALUES)
        # Text -> value, only for texts that read cleanly: files repeat dates and mobiles.
        self.dates: dict[str, datetime.date] = {}
        self.mobiles: dict[str, str] = {}

    def parse(self, number: int, cells: Sequence[Cell]) -> OrderRow | None:
        """Return the row's record when every mapped cell is plain and valid, else None."""
        raw = [cell for cell in cells if type(cell) is str]
        if len(raw) != self.width or not self.usable:
            return None  # a non-text cell, a short or long row, or no number/date column
        if has_control_characters("".join(raw)):
            return None  # refused, with its column, by the full parser
        texts = [cell.strip() for cell in raw]
        texts.append("")
        for index, limit in self.limits:
            value = texts[index]
            # What text() would change (neutralised) or the checks refuse (formula).
            if value and (value[0] in "'=" or len(value) > limit):
                return None
        order_number, external_id = texts[self.number], texts[self.external_id]
        mobile = self._mobile(texts[self.mobile])
        ordered_on = self.dates.get(texts[self.ordered_on]) or self._date(texts[self.ordered_on])
        amount = _fast_amount(texts[self.amount])
        quantity = _fast_quantity(texts[self.quantity])
        status = (
            self.statuses.get(texts[self.status].lower())
            if texts[self.status]
            else OrderStatus.PAID
        )
        if (
            not order_number
            or mobile is None
            or not (external_id or mobile)
            or ordered_on is None
            or amount is None
            or quantity is None
            or status is None
        ):
            return None
        return OrderRow(
            number,
            order_number,
            external_id,
            mobile,
            texts[self.name],
            ordered_on,
            texts[self.product] or None,
            quantity,
            amount,
            status,
            texts[self.channel],
        )

    def _mobile(self, raw: str) -> str | None:
        if not raw:
            return raw
        mobile = self.mobiles.get(raw)
        if mobile is None:
            try:
                mobile = normalize_mobile(raw)
            except ValidationError:
                return None
            if len(self.mobiles) < FAST_CACHE_SIZE:
                self.mobiles[raw] = mobile
        return mobile

    def _date(self, raw: str) -> datetime.date | None:
        match = _FAST_DATE.fullmatch(raw)
        if match is None:
            return None
        year, month, date = match.groups()
        try:
            day = datetime.date(int(year), int(month), int(date))
        except ValueError:
            return None
        if not EARLIEST_ORDER_DATE <= day <= self.latest:
            return None
        if len(self.dates) < FAST_CACHE_SIZE:
            self.dates[raw] = day
        return day


def _fast_amount(raw: str) -> Decimal | None:
    """Return a plain amount (¥1,234.50, 12.5, 300) as parse_amount would, else None."""
    if raw[:1] in ("¥", "￥"):
        raw = raw[1:]
    raw = raw.replace(",", "")
    return Decimal(raw).quantize(CENT) if _FAST_AMOUNT.fullmatch(raw) else None


def _fast_quantity(raw: str) -> int | None:
    """Return a plain whole quantity as parse_quantity would (1 when empty), else None."""
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_QUANTITY))):
        return None
    quantity = int(raw)
    return quantity if 1 <= quantity <= MAX_QUANTITY else None
