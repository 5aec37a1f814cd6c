"""Plan a day now, as the scheduled morning run does (engagement.morning)."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from engagement.morning import run_morning


def _day(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--day must be a date like 2026-12-01; got {raw!r}.") from None


class Command(BaseCommand):
    help = (
        "Plan the day as the scheduled morning run does: send the care greetings due, plan "
        "the cadences' follow-ups and record every rep's Today. Running it again for the "
        "same day changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=_day, help="The day to plan (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the morning run and print what it did."""
        report = run_morning(options["day"] or timezone.localdate())
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in report.seconds.items())
        self.stdout.write(
            f"{report.day}: {report.greetings:,} greetings, {report.follow_ups:,} cadence "
            f"follow-ups, {report.today_lines:,} Today lines ({timings})."
        )
