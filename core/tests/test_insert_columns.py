"""Rows given column by column go in whole, many per statement, on any database."""

from decimal import Decimal

import numpy as np
import pytest

from core.bulk import insert_columns
from sales.models import Product


@pytest.mark.parametrize("count", [0, 1, 47, 1007])
def test_every_row_goes_in_with_its_values(db, count):
    fields = ("sku", "name", "category", "list_price", "is_active")
    columns = [
        [f"SKU-{i}" for i in range(count)], [f"Record {i}" for i in range(count)],
        ["Jazz"] * count, np.round(np.arange(count) * 1.25, 2), np.arange(count) % 2 == 0,
    ]  # fmt: skip
    assert insert_columns(Product, fields, columns) == count
    assert Product.objects.count() == count
    if count:
        last = Product.objects.get(sku=f"SKU-{count - 1}")
        assert last.list_price == Decimal(f"{(count - 1) * 1.25:.2f}")
        assert last.is_active == ((count - 1) % 2 == 0) and last.name == f"Record {count - 1}"
