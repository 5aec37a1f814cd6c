"""What the demo shop sells and the tags its customers carry.

Invented for a Chinese shop, so written as its staff would write them; only the SKUs, which
systems read, stay in Latin letters.
"""

from decimal import Decimal
from typing import NamedTuple


class DemoProduct(NamedTuple):
    sku: str
    name: str
    category: str
    list_price: Decimal


# CDNOW sold CDs at about USD 12-16 each (the file's mean is USD 14.6 per CD).
PRODUCTS = (
    DemoProduct("CDN-ROCK", "摇滚 CD", "摇滚", Decimal("14.99")),
    DemoProduct("CDN-POP", "流行 CD", "流行", Decimal("13.99")),
    DemoProduct("CDN-CLASSICAL", "古典 CD", "古典", Decimal("16.99")),
    DemoProduct("CDN-JAZZ", "爵士 CD", "爵士", Decimal("15.99")),
    DemoProduct("CDN-CPOP", "华语流行 CD", "华语流行", Decimal("12.99")),
)
SKU_BY_CATEGORY = {product.category: product.sku for product in PRODUCTS}
# How often each category is a customer's favourite (and so most of what they buy).
CATEGORY_WEIGHTS = {"摇滚": 30, "流行": 25, "古典": 15, "爵士": 10, "华语流行": 20}

TAG_GROUPS: dict[str, tuple[str, ...]] = {
    "兴趣品类": tuple(CATEGORY_WEIGHTS),
    "服务偏好": ("要求快递", "礼品包装", "需开发票", "周末送货", "送货前电话"),
    "购买场合": ("生日送礼", "春节", "中秋", "收藏"),
}
