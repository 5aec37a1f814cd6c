"""Seed the default membership tiers and discount rules (an admin changes them later)."""

from typing import Any

from django.db import migrations

from loyalty.defaults import seed_defaults


def seed(apps: Any, schema_editor: Any) -> None:
    seed_defaults(apps.get_model("loyalty", "MembershipTier"), apps.get_model("loyalty", "DiscountRule"))


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0004_tiers_history_discounts_coupons")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
