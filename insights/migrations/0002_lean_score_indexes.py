"""Drop indexes the pages do not need and index warnings by (run, value at risk).

The single-column indexes on the foreign keys are covered by (run, customer) and
(customer, run); dropping them makes the nightly insert of a million scores faster. On SQLite,
AlterField would copy both tables to drop an index, so the database side is plain DROP INDEX.
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = (
    "insights_customerscore_run_id_c3c35a48",
    "insights_customerscore_customer_id_f13a1958",
    "insights_churnwarning_run_id_2a3c333a",
    "insights_churnwarning_value_at_risk_d295e15b",
)
CREATED = {
    "insights_customerscore_run_id_c3c35a48": ("insights_customerscore", "run_id"),
    "insights_customerscore_customer_id_f13a1958": ("insights_customerscore", "customer_id"),
    "insights_churnwarning_run_id_2a3c333a": ("insights_churnwarning", "run_id"),
    "insights_churnwarning_value_at_risk_d295e15b": ("insights_churnwarning", "value_at_risk"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_owner_name_index"),
        ("insights", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in DROPPED],
                    [
                        f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                        for name, (table, column) in CREATED.items()
                    ],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="churnwarning",
                    name="run",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="warnings",
                        to="insights.scorerun",
                    ),
                ),
                migrations.AlterField(
                    model_name="churnwarning",
                    name="value_at_risk",
                    field=models.FloatField(),
                ),
                migrations.AlterField(
                    model_name="customerscore",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scores",
                        to="customers.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="customerscore",
                    name="run",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scores",
                        to="insights.scorerun",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="churnwarning",
            index=models.Index(fields=["run", "-value_at_risk", "id"], name="warning_run_value"),
        ),
    ]
