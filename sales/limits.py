"""The limits on what an order may hold: one place that forms, API, import and models read.

Chosen so that whatever any path accepts, every stored figure and every aggregate the app
computes fits its column on SQLite and PostgreSQL (issue 10, item 1):

- an order line: quantity 1..MAX_QUANTITY; unit price, discount, and quantity × unit price
  at most MAX_ORDER_AMOUNT, so the discount (12 digits) fits whatever the quantity;
- an order: at most MAX_LINES_PER_ORDER lines, amount at most MAX_ORDER_AMOUNT (the line and
  order amount columns hold 14 digits, two of them cents);
- a customer: the paid orders' total (the purchase summary's total spend, 16 digits) at most
  MAX_CUSTOMER_SPEND, checked by sales.summary on every write that adds to it. Kept three
  digits below the column, so that a summary's cents stay exact in SQLite's 8-byte float,
  the ORM's Sum over one customer's orders fits the order amount's 14 digits, and a merge
  of two customers at the cap still fits before it is refused.

The orders per bulk request are the setting API_MAX_BULK_ORDERS; any number of them stays
within the customer's cap, which is what bounds the sums.
"""

from decimal import Decimal

MAX_QUANTITY = 1_000_000
MAX_LINES_PER_ORDER = 100
MAX_ORDER_AMOUNT = Decimal("9999999999.99")  # below 10^10
MAX_CUSTOMER_SPEND = Decimal("99999999999.99")  # below 10^11
# Prices, discounts and line totals never exceed an order's cap.
MAX_UNIT_PRICE = MAX_ORDER_AMOUNT


def money(amount: Decimal) -> str:
    """Return a limit as the error messages show it: 9,999,999,999.99."""
    return f"{amount:,.2f}"


# The reason given with a refund or its reversal, kept in the customer's history.
MAX_REASON_LENGTH = 500
