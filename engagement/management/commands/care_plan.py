"""Print the care greetings planned for a window of days, for a script (JSON) or a person."""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from engagement.care import MAX_DAYS, care_plan


def _day(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--as-of must be a date like 2026-12-01; got {raw!r}.") from None


def _days(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise CommandError(f"--days must be a whole number from 1 to {MAX_DAYS}; got {raw!r}.")
    return days


class Command(BaseCommand):
    help = (
        "Print every customer's care occasions from --as-of (included) for --days days: the "
        "window is [as-of, as-of + days), so --days 1 is the as-of day alone and the day "
        "as-of + days is left out. Each customer has at most one occasion a day (birthday > "
        "life event > first-purchase anniversary > festival). --format json prints exactly "
        '{"occasions": [{"customer_id", "occasion", "date", "channel", "template"}]}, by date '
        "then customer; --format table prints one line each for people."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, help="first day, e.g. 2026-12-01")
        parser.add_argument("--days", default="1", help=f"number of days, 1 to {MAX_DAYS}")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of, days = _day(options["as_of"]), _days(options["days"])
        try:
            planned = care_plan(as_of, days)
        except DomainError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            rows = [{**p._asdict(), "date": p.date.isoformat()} for p in planned]
            self.stdout.write(json.dumps({"occasions": rows}, ensure_ascii=False))
            return
        self.stdout.write(
            f"{'date':<10}  {'customer':>9}  {'occasion':<26}  {'channel':<7}  template"
        )
        for p in planned:
            self.stdout.write(
                f"{p.date.isoformat():<10}  {p.customer_id:>9}  {p.occasion:<26}  {p.channel:<7}  "
                f"{p.template}"
            )
        self.stdout.write(f"{len(planned):,} occasions")
