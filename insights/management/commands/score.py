"""Score every customer now, as the nightly job does."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from insights.models import RunStatus, ScoreRun
from insights.services import run_scoring, tidy_after_run


class Command(BaseCommand):
    help = "Score every customer (P(alive), CLV, tiers, RFM, warnings) as of a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=datetime.date.fromisoformat, help="YYYY-MM-DD; default today"
        )
        parser.add_argument(
            "--if-none", action="store_true", help="do nothing when a good run exists already"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_none"] and ScoreRun.objects.latest_good() is not None:
            self.stdout.write("A scoring run exists already; not scoring again.")
            return
        run = run_scoring(options["as_of"])
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(
                f"Scoring as of {run.as_of} failed: {run.failure_text()} (the last good run stays)."
            )
        tidy_after_run()
        counts = run.counts
        self.stdout.write(
            f"Scored {counts['customers_scored']} customers as of {run.as_of} in "
            f"{run.duration_seconds:.1f} s; {counts['warnings']} churn warnings (run {run.pk})."
        )
