"""Review membership tiers now: the members due on a day, or every member."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from loyalty.tiers import review_tiers


def _day(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--day must be a date like 2026-12-01; got {raw!r}.") from None


class Command(BaseCommand):
    help = (
        "Review the membership tiers of the members due on --day (default today): the annual "
        "review reached, a grace period ended, or no tier yet. --all reviews every member, as "
        "when a programme starts. Running it twice the same day changes nothing the second time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", default="", help="the review day, e.g. 2026-12-01")
        parser.add_argument("--all", action="store_true", help="review every member")

    def handle(self, *args: Any, **options: Any) -> None:
        day = _day(options["day"]) if options["day"] else timezone.localdate()
        result = review_tiers(day, everyone=options["all"])
        changes = ", ".join(f"{kind} {n:,}" for kind, n in sorted(result.changes.items()))
        changes = changes or "no changes"
        self.stdout.write(f"{result.reviewed:,} members reviewed on {day}: {changes}")
