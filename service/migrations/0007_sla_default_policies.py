"""Seed sensible SLA policies: one per priority for any tier, tighter ones for A-tier
customers (working minutes; a working day is 8 hours on the default calendar)."""

from django.db import migrations

DAY = 8 * 60
# (priority, tier, first response, resolution)
DEFAULTS = [
    ("urgent", "", 60, DAY),
    ("high", "", 2 * 60, 2 * DAY),
    ("normal", "", 4 * 60, 3 * DAY),
    ("low", "", DAY, 5 * DAY),
    ("urgent", "A", 30, 4 * 60),
    ("high", "A", 60, DAY),
    ("normal", "A", 2 * 60, 2 * DAY),
    ("low", "A", 4 * 60, 3 * DAY),
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    for priority, tier, first, resolution in DEFAULTS:
        SlaPolicy.objects.get_or_create(
            priority=priority,
            value_tier=tier,
            defaults={"first_response_minutes": first, "resolution_minutes": resolution},
        )


def unseed(apps, schema_editor):
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    for priority, tier, first, resolution in DEFAULTS:
        SlaPolicy.objects.filter(
            priority=priority, value_tier=tier, first_response_minutes=first,
            resolution_minutes=resolution,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("service", "0006_sla_policies")]

    operations = [migrations.RunPython(seed, unseed)]
