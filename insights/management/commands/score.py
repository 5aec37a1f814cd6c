"""Score every customer now, as the nightly job does."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

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
        parser.add_argument(
            "--also-days-before",
            type=int,
            metavar="N",
            help="first score as of N days before, so run comparison and movement have two runs",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_none"] and ScoreRun.objects.latest_good() is not None:
            self.stdout.write("A scoring run exists already; not scoring again.")
            return
        as_of: datetime.date = options["as_of"] or timezone.localdate()
        earlier = options["also_days_before"]
        if earlier is not None and earlier < 1:
            raise CommandError("--also-days-before must be at least 1.")
        if earlier:
            self._score(as_of - datetime.timedelta(days=earlier))
        self._score(as_of)
        tidy_after_run()

    def _score(self, as_of: datetime.date) -> None:
        run = run_scoring(as_of)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(
                f"Scoring as of {run.as_of} failed: {run.failure_text()} (the last good run stays)."
            )
        counts = run.counts
        self.stdout.write(
            f"Scored {counts['customers_scored']} customers as of {run.as_of} in "
            f"{run.duration_seconds:.1f} s; {counts['warnings']} churn warnings (run {run.pk})."
        )
        for text in run.warning_texts():
            self.stdout.write(f"Warning: {text}")
