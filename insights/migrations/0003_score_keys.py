"""Key each score by (run, customer) packed into its id, and drop the indexes that replaces.

See insights.models.score_key; existing scores and the warnings pointing at them are
re-keyed in place (old ids are far below 2**32, so no new key collides with an old one).
"""

from django.db import migrations

REKEY = [
    "UPDATE insights_customerscore SET id = run_id * 4294967296 + customer_id",
    "UPDATE insights_churnwarning SET score_id = run_id * 4294967296 + customer_id",
]


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_lean_score_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="customerscore",
            name="unique_score_per_run",
        ),
        migrations.RemoveIndex(
            model_name="customerscore",
            name="score_run_segment",
        ),
        migrations.RemoveIndex(
            model_name="customerscore",
            name="score_run_tier",
        ),
        migrations.RemoveIndex(
            model_name="customerscore",
            name="score_customer_run",
        ),
        migrations.RunSQL(REKEY, reverse_sql=migrations.RunSQL.noop),
    ]
