"""Bring the database up to what `make run` serves, doing only what is missing."""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from customers.models import Customer
from huitou.demo import care
from insights.models import ScoreRun


def unapplied_migrations() -> int:
    """Return how many migrations the database still lacks (a read of the migration table)."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = (
        "Migrate, create the cache table, load the demo organisation, score it, give it six "
        "months of care and a few life events, and run the last week's morning runs, each "
        "only when missing, then print the demo logins. One process instead of one per "
        "step: a second `make run` answers within seconds."
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
        if care.demo_customers().exists():
            self._prepare_care()
        self.stdout.write(f"Ready in {time.perf_counter() - started:.1f} s.")
        call_command("demo_logins", stdout=self.stdout)

    def _prepare_care(self) -> None:
        """Give the demo's care history, life events and morning runs, each when missing.

        After scoring: the morning runs plan cadences by the tiers and the care effect
        compares customers by them.
        """
        today = timezone.localdate()
        if care.history_missing(today):
            started = time.perf_counter()
            history = care.create_care_history(today)
            self.stdout.write(
                f"Care history: {history.calls:,} monthly calls, {history.greetings:,} "
                f"greetings over {care.HISTORY_DAYS} days, "
                f"{history.delivered:,} delivered to the sink, {history.replies:,} replies, "
                f"{history.positive:,} marked positive ({time.perf_counter() - started:.1f} s)."
            )
        if care.life_events_missing():
            count = care.create_life_events(today)
            self.stdout.write(f"Life events: {count} recorded on the reps' customers.")
        if care.morning_missing(today):
            started = time.perf_counter()
            reports = care.run_mornings(today)
            greetings = sum(r.greetings for r in reports)
            follow_ups = sum(r.follow_ups for r in reports)
            self.stdout.write(
                f"Morning runs {reports[0].day} to {reports[-1].day}: {greetings:,} greetings, "
                f"{follow_ups:,} cadence follow-ups ({time.perf_counter() - started:.1f} s)."
            )
