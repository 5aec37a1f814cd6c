"""Discount rules and the price quote (报价) a shop or POS asks for before taking payment.

A quote prices the lines (the catalogue's list price unless the caller gives one), finds the
discounts the customer qualifies for today — ten or more paid orders, the birthday month,
the membership tier, a campaign coupon — each with its reason in the reader's language, and
applies them under the stacking policy (LOYALTY_DISCOUNT_STACKING): the single best one
("best", the default) or all of them one after the other ("all"). It writes nothing: a
coupon is spent when the order is taken, not when it is quoted.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.templatetags.core import count, money
from customers.models import Customer
from customers.services import visible_customers
from loyalty import earning
from loyalty.earning import Earning
from loyalty.models import Coupon, DiscountKind, DiscountRule, Member, MembershipTier
from loyalty.tiers import tier_label
from sales.limits import MAX_LINES_PER_ORDER, MAX_ORDER_AMOUNT, MAX_QUANTITY, MAX_UNIT_PRICE
from sales.limits import money as limit_money
from sales.models import CustomerStats, Product

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
COUPON = "coupon"
# Which discount wins a tie under "best", and the order "all" applies them in.
ORDER = [DiscountKind.TIER, DiscountKind.FREQUENT, DiscountKind.BIRTHDAY, COUPON]


@dataclass(frozen=True)
class LineRequest:
    """A line as asked: the product by id or SKU, the quantity, the price if not the list's."""

    product_id: int | None
    sku: str
    quantity: int
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class PricedLine:
    product_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass
class Offer:
    """A discount the customer qualifies for; `amount` is what it takes off in this quote
    when applied, else what it would take off alone."""

    kind: str
    reason: str
    percent: Decimal | None = None
    amount_off: Decimal | None = None
    code: str = ""
    amount: Decimal = ZERO
    applied: bool = False


@dataclass(frozen=True)
class Quote:
    customer_id: int
    tier: MembershipTier | None
    lines: list[PricedLine]
    subtotal: Decimal
    offers: list[Offer]
    stacking: str
    discount: Decimal
    total: Decimal
    earning: Earning


def quote(
    user: User, customer_id: int, lines: Sequence[LineRequest], coupon_code: str = "",
    now: datetime.datetime | None = None,
) -> Quote:  # fmt: skip
    """Return the quote for the customer's lines today; every invalid field is refused at once
    (422, each named) and nothing is written."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    errors: dict[str, str] = {}
    customer = _customer(user, customer_id, errors)
    priced = _priced(lines, errors)
    coupon = _coupon(coupon_code, customer, now, errors)
    if errors:
        raise ValidationError(errors)
    assert customer is not None
    subtotal = sum((line.amount for line in priced), ZERO)
    tier = _tier_of(customer)
    birthday = is_birthday_month(customer, day)
    offers = _offers(customer, tier, birthday, coupon, day)
    for offer in offers:
        offer.amount = _off(offer, subtotal)
    discount = _apply(offers, subtotal)
    total = subtotal - discount
    multiplier = tier.points_multiplier if tier is not None else Decimal(1)
    return Quote(
        customer.pk, tier, priced, subtotal, offers, settings.LOYALTY_DISCOUNT_STACKING,
        discount, total, earning.points_for(total, multiplier, birthday),
    )  # fmt: skip


# The customer, lines and coupon ------------------------------------------------------------


def _customer(user: User, customer_id: int, errors: dict[str, str]) -> Customer | None:
    customer = visible_customers(user, include_archived=True).filter(pk=customer_id).first()
    if customer is None:
        errors["customer_id"] = _("Unknown customer.")
    elif customer.is_archived:
        errors["customer_id"] = _("The customer is archived; restore it before adding orders.")
    return customer


def _products(lines: Sequence[LineRequest]) -> tuple[dict[int, Product], dict[str, Product]]:
    ids = {line.product_id for line in lines if line.product_id is not None}
    skus = {line.sku.strip() for line in lines if line.product_id is None and line.sku.strip()}
    found = list(Product.objects.filter(Q(pk__in=ids) | Q(sku__in=skus))) if ids or skus else []
    return {p.pk: p for p in found}, {p.sku: p for p in found}


def _priced(lines: Sequence[LineRequest], errors: dict[str, str]) -> list[PricedLine]:
    """Return the lines priced; add each invalid field to `errors`."""
    if not lines:
        errors["lines"] = _("An order needs at least one line.")
        return []
    if len(lines) > MAX_LINES_PER_ORDER:
        errors["lines"] = _("An order has at most %(limit)d lines.") % {
            "limit": MAX_LINES_PER_ORDER
        }
        return []
    by_id, by_sku = _products(lines)
    priced = []
    for index, line in enumerate(lines):
        product = _product(index, line, by_id, by_sku, errors)
        price = _unit_price(index, line, product, errors)
        if product is not None and price is not None and _quantity_ok(index, line, errors):
            amount = (price * line.quantity).quantize(CENT)
            if amount > MAX_ORDER_AMOUNT:
                errors[f"lines[{index}].unit_price"] = _(
                    "Quantity × unit price must be at most %(limit)s."
                ) % {"limit": limit_money(MAX_ORDER_AMOUNT)}
                continue
            priced.append(
                PricedLine(product.pk, product.sku, product.name, line.quantity, price, amount)
            )
    return priced


def _product(
    index: int, line: LineRequest, by_id: dict[int, Product], by_sku: dict[str, Product],
    errors: dict[str, str],
) -> Product | None:  # fmt: skip
    if line.product_id is not None:
        product, field, name = by_id.get(line.product_id), "product_id", str(line.product_id)
    elif line.sku.strip():
        product, field, name = by_sku.get(line.sku.strip()), "sku", line.sku.strip()
    else:
        errors[f"lines[{index}].product_id"] = _("Give the product's id or its SKU.")
        return None
    if product is None or not product.is_active:
        errors[f"lines[{index}].{field}"] = _("Unknown product %(sku)s.") % {"sku": name}
        return None
    return product


def _quantity_ok(index: int, line: LineRequest, errors: dict[str, str]) -> bool:
    if line.quantity < 1:
        errors[f"lines[{index}].quantity"] = _("The quantity must be at least 1.")
    elif line.quantity > MAX_QUANTITY:
        errors[f"lines[{index}].quantity"] = _("The quantity must be at most %(limit)s.") % {
            "limit": f"{MAX_QUANTITY:,}"
        }
    return f"lines[{index}].quantity" not in errors


def _unit_price(
    index: int, line: LineRequest, product: Product | None, errors: dict[str, str]
) -> Decimal | None:
    if line.unit_price is None:
        return product.list_price if product is not None else None
    if line.unit_price < 0:
        errors[f"lines[{index}].unit_price"] = _("The unit price cannot be negative.")
        return None
    if line.unit_price > MAX_UNIT_PRICE:
        errors[f"lines[{index}].unit_price"] = _(
            "Quantity × unit price must be at most %(limit)s."
        ) % {"limit": limit_money(MAX_ORDER_AMOUNT)}
        return None
    return line.unit_price


def normalised_code(code: str) -> str:
    return code.strip().upper()


def _coupon(
    code: str, customer: Customer | None, now: datetime.datetime, errors: dict[str, str]
) -> Coupon | None:
    """Return the coupon if the customer may use it now; else add why not to `errors`."""
    code = normalised_code(code)
    if not code:
        return None
    coupon = Coupon.objects.filter(code=code).first()
    refusal = coupon_refusal(coupon, customer, now)
    if refusal:
        errors["coupon"] = refusal
        return None
    return coupon


def coupon_refusal(coupon: Coupon | None, customer: Customer | None, now: datetime.datetime) -> str:
    """Return why the coupon cannot be used by the customer now ("" if it can)."""
    if coupon is None or not coupon.is_active:
        return _("Unknown coupon.")
    if customer is not None and coupon.customer_id not in (None, customer.pk):
        return _("This coupon belongs to another customer.")
    if now < coupon.valid_from:
        return _("This coupon is valid from %(start)s.") % {"start": _when(coupon.valid_from)}
    if now > coupon.valid_until:
        return _("This coupon expired on %(end)s.") % {"end": _when(coupon.valid_until)}
    if coupon.max_uses is not None and coupon.times_used >= coupon.max_uses:
        return _("This coupon has been used up.")
    return ""


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# The discounts ----------------------------------------------------------------------------


def is_birthday_month(customer: Customer, day: datetime.date) -> bool:
    """Return whether the customer's birthday (lunar birthdays on their solar day this
    year) falls in the day's month."""
    birthday = customer.next_birthday(day.replace(day=1))
    return birthday is not None and (birthday.year, birthday.month) == (day.year, day.month)


def _tier_of(customer: Customer) -> MembershipTier | None:
    code = Member.objects.filter(customer=customer).values_list("tier", flat=True).first()
    return MembershipTier.objects.filter(code=code).first() if code else None


def rules_on(day: datetime.date) -> list[DiscountRule]:
    """Return the active rules whose validity window holds the day."""
    return list(
        DiscountRule.objects.filter(is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    )


def _offers(
    customer: Customer, tier: MembershipTier | None, birthday: bool, coupon: Coupon | None,
    day: datetime.date,
) -> list[Offer]:  # fmt: skip
    offers: list[Offer] = []
    for rule in rules_on(day):
        offer = _offer(rule, customer, tier, birthday)
        if offer is not None and not any(o.kind == offer.kind for o in offers):
            offers.append(offer)
    if coupon is not None:
        offers.append(_coupon_offer(coupon))
    return sorted(offers, key=lambda offer: ORDER.index(offer.kind))


def _offer(
    rule: DiscountRule, customer: Customer, tier: MembershipTier | None, birthday: bool
) -> Offer | None:
    percent = rule.percent
    if rule.kind == DiscountKind.TIER:
        if tier is None or not (percent or tier.discount_percent):
            return None
        percent = percent or tier.discount_percent
        reason = _("%(percent)s off for %(tier)s members.") % {
            "percent": _percent(percent),
            "tier": tier_label(tier),
        }
        return Offer(DiscountKind.TIER, reason, percent=percent)
    if not percent:
        return None
    if rule.kind == DiscountKind.BIRTHDAY and birthday:
        reason = _("%(percent)s off in the customer's birthday month.") % {
            "percent": _percent(percent)
        }
        return Offer(DiscountKind.BIRTHDAY, reason, percent=percent)
    if rule.kind == DiscountKind.FREQUENT:
        orders = _paid_orders(customer)
        if orders >= rule.min_purchases:
            reason = _("%(percent)s off after %(orders)s paid orders (%(least)s or more).") % {
                "percent": _percent(percent), "orders": count(orders),
                "least": count(rule.min_purchases),
            }  # fmt: skip
            return Offer(DiscountKind.FREQUENT, reason, percent=percent)
    return None


def _paid_orders(customer: Customer) -> int:
    """Return the customer's paid orders so far, from the kept purchase summary."""
    stats = CustomerStats.objects.filter(customer=customer).values_list("orders_count", flat=True)
    return stats.first() or 0


def _coupon_offer(coupon: Coupon) -> Offer:
    if coupon.percent_off is not None:
        reason = _("Coupon %(code)s (%(name)s): %(percent)s off.") % {
            "code": coupon.code,
            "name": coupon.name,
            "percent": _percent(coupon.percent_off),
        }
        return Offer(COUPON, reason, percent=coupon.percent_off, code=coupon.code)
    assert coupon.amount_off is not None
    reason = _("Coupon %(code)s (%(name)s): %(amount)s off.") % {
        "code": coupon.code,
        "name": coupon.name,
        "amount": money(coupon.amount_off),
    }
    return Offer(COUPON, reason, amount_off=coupon.amount_off, code=coupon.code)


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def _off(offer: Offer, base: Decimal) -> Decimal:
    """Return what the offer takes off `base` (never more than it)."""
    if offer.percent is not None:
        return (base * offer.percent / 100).quantize(CENT, ROUND_HALF_UP)
    return min(offer.amount_off or ZERO, base)


def _apply(offers: list[Offer], subtotal: Decimal) -> Decimal:
    """Mark the offers applied under the stacking policy; return the discount in all."""
    if not offers:
        return ZERO
    if settings.LOYALTY_DISCOUNT_STACKING == "best":
        best = max(offers, key=lambda offer: (offer.amount, -ORDER.index(offer.kind)))
        best.applied = True
        return best.amount
    remaining = subtotal
    # Percentages first, then amounts off: an amount off is never itself reduced.
    for offer in sorted(offers, key=lambda offer: offer.percent is None):
        offer.amount = _off(offer, remaining)
        offer.applied = True
        remaining -= offer.amount
    return subtotal - remaining
