"""What the demo shop sells and the tags its customers carry."""

from decimal import Decimal
from typing import NamedTuple


class DemoProduct(NamedTuple):
    sku: str
    name: str
    category: str
    list_price: Decimal


# CDNOW sold CDs at about USD 12-16 each (the file's mean is USD 14.6 per CD).
PRODUCTS = (
    DemoProduct("CDN-ROCK", "Rock CD", "Rock", Decimal("14.99")),
    DemoProduct("CDN-POP", "Pop CD", "Pop", Decimal("13.99")),
    DemoProduct("CDN-CLASSICAL", "Classical CD", "Classical", Decimal("16.99")),
    DemoProduct("CDN-JAZZ", "Jazz CD", "Jazz", Decimal("15.99")),
    DemoProduct("CDN-CPOP", "Chinese pop CD", "Chinese pop", Decimal("12.99")),
)
SKU_BY_CATEGORY = {product.category: product.sku for product in PRODUCTS}
# How often each category is a customer's favourite (and so most of what they buy).
CATEGORY_WEIGHTS = {"Rock": 30, "Pop": 25, "Classical": 15, "Jazz": 10, "Chinese pop": 20}

TAG_GROUPS: dict[str, tuple[str, ...]] = {
    "Product interests": tuple(CATEGORY_WEIGHTS),
    "Service expectations": (
        "Fast delivery",
        "Gift wrapping",
        "Invoice required",
        "Weekend delivery",
        "Call before delivery",
    ),
    "Occasions": ("Birthday gifts", "Spring Festival", "Mid-Autumn", "Collector"),
}
