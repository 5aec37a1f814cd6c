from django.db import migrations

from service.defaults import seed_defaults


def seed(apps, schema_editor):
    seed_defaults(apps.get_model("service", "Category"), apps.get_model("engagement", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0002_tickets_routing"),
        ("engagement", "0005_effect"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
