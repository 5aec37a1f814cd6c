from django.db import migrations


class Migration(migrations.Migration):
    """IdempotencyKey now belongs to `core`; the table stays where it is (state only)."""

    dependencies = [("huitou", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        )
    ]
