"""Bring the database up to what `make run` serves, doing only what is missing."""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from customers.models import Customer
from insights.models import ScoreRun


def unapplied_migrations() -> int:
    """Return how many migrations the database still lacks (a read of the migration table)."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = (
        "Migrate, create the cache table, load the demo organisation and score it, each only "
        "when missing, then print the demo logins. One process instead of one per step: a "
        "second `make run` answers within seconds."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Do each missing step and say which were already done."""
        started = time.perf_counter()
        if unapplied_migrations():
            call_command("migrate", interactive=False, stdout=self.stdout)
        call_command("createcachetable", stdout=self.stdout)  # checks before it creates
        if not Customer.objects.exists():
            self.stdout.write("Loading the demo organisation.")
            call_command("load_demo", stdout=self.stdout)
        if ScoreRun.objects.latest_good() is None:
            # Two runs, a month apart, so run comparison and movement show something.
            call_command("score", also_days_before=30, stdout=self.stdout)
        self.stdout.write(f"Ready in {time.perf_counter() - started:.1f} s.")
        call_command("demo_logins", stdout=self.stdout)
