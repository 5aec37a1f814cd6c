"""The catalogue filled in bulk: only missing SKUs are added, each validated."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sales.models import Product
from sales.services import ensure_products

pytestmark = pytest.mark.django_db


def test_only_missing_products_are_added_and_existing_ones_keep_their_price(
    product: Product,
) -> None:
    wanted: list[dict[str, object]] = [
        {"sku": product.sku, "name": "Renamed", "category": "", "list_price": Decimal("1.00")},
        {"sku": "CD-JAZZ", "name": "Jazz CD", "category": "Jazz", "list_price": Decimal("9.99")},
    ]
    assert ensure_products(None, wanted) == 1
    assert ensure_products(None, wanted) == 0
    product.refresh_from_db()
    assert (product.name, product.list_price) == ("Rock CD", Decimal("15.00"))
    assert Product.objects.get(sku="CD-JAZZ").list_price == Decimal("9.99")


def test_an_invalid_product_is_refused_like_one_added_by_hand() -> None:
    with pytest.raises(ValidationError):
        ensure_products(None, [{"sku": "CD-X", "name": "", "list_price": Decimal("-1")}])
    assert not Product.objects.exists()
