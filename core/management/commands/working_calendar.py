"""Show a year of the working calendar, or compute a deadline in working hours."""

import datetime
import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.calendar import FIRST_YEAR, LAST_YEAR, ScheduleDay, YearSchedule, working_calendar

MAX_HOURS = 876_000


def _hours(raw: str) -> float:
    try:
        hours = float(raw)
    except ValueError:
        hours = math.nan
    # Beyond 100 years of hours a deadline means nothing, and timedelta would overflow.
    if not 0 <= hours <= MAX_HOURS:
        raise CommandError(
            f"--add-hours must be a number of hours from 0 to {MAX_HOURS:,}; got {raw!r}."
        )
    return hours


def _moment(raw: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(
            f"--from must be a date and time like 2026-02-13T17:00:00+08:00; got {raw!r}."
        ) from None


def _year(raw: str) -> int:
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CommandError(f"--year must be a year from {FIRST_YEAR} to {LAST_YEAR}; got {raw!r}.")
    return year


class Command(BaseCommand):
    help = (
        "List a year's days off and make-up working days (调休), saying when the year has no "
        "official schedule yet; or, with --add-hours and --from, print the moment that many "
        "working hours later. A --from without a time zone is read in WORKING_TIME_ZONE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", help="the year to list")
        parser.add_argument("--add-hours", help="working hours to add, e.g. 2 or 1.5")
        parser.add_argument("--from", dest="start", help="ISO date and time to count from")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        year, hours, start = options["year"], options["add_hours"], options["start"]
        if (year is None) == (hours is None):
            raise CommandError("Give either --year, or --add-hours with --from.")
        if hours is not None and start is None:
            raise CommandError("--add-hours needs --from, the moment to count from.")
        if year is not None and start is not None:
            raise CommandError("--from goes with --add-hours, not with --year.")
        if year is not None:
            self._show(working_calendar().schedule(_year(year)), options["format"])
            return
        moment, duration = _moment(start), datetime.timedelta(hours=_hours(hours))
        calendar = working_calendar()
        if moment.utcoffset() is None:
            moment = moment.replace(tzinfo=calendar.hours.zone)
        try:
            due = calendar.add(moment, duration)
        except (ValueError, OverflowError) as error:
            raise CommandError(f"--add-hours: {error}") from None
        if options["format"] == "json":
            self.stdout.write(json.dumps({"due": due.isoformat()}))
        else:
            self.stdout.write(due.isoformat())

    def _show(self, schedule: YearSchedule, output: str) -> None:
        if output == "json":
            self.stdout.write(json.dumps(_as_json(schedule), ensure_ascii=False))
            return
        if not schedule.known:
            self.stdout.write(
                self.style.WARNING(
                    f"{schedule.year} has no official schedule yet: the holidays package does "
                    "not know the State Council's notice for it and no working-day overrides "
                    "are entered. The days off below follow the statutory rules only; make-up "
                    "working days are unknown. Enter the schedule in the admin (Core > "
                    "Working-day overrides) when it is published."
                )
            )
        elif not schedule.official:
            self.stdout.write(
                f"{schedule.year}: the holidays package has no official schedule; "
                f"{schedule.overrides} working-day override(s) entered."
            )
        self.stdout.write(f"Days off in {schedule.year} besides ordinary weekends:")
        for entry in schedule.days_off:
            self.stdout.write(_line(entry))
        self.stdout.write(f"Make-up working days (weekend days worked) in {schedule.year}:")
        for entry in schedule.makeup_days:
            self.stdout.write(_line(entry))
        if not schedule.makeup_days:
            self.stdout.write("  none")


def _line(entry: ScheduleDay) -> str:
    source = " (override)" if entry.override else ""
    return f"  {entry.day.isoformat()} {entry.day:%a}  {entry.name}{source}".rstrip()


def _as_json(schedule: YearSchedule) -> dict[str, Any]:
    def days(entries: list[ScheduleDay]) -> list[dict[str, Any]]:
        return [
            {"date": e.day.isoformat(), "name": e.name, "override": e.override} for e in entries
        ]

    return {
        "year": schedule.year,
        "official_schedule": schedule.official,
        "overrides": schedule.overrides,
        "schedule_known": schedule.known,
        "days_off": days(schedule.days_off),
        "makeup_days": days(schedule.makeup_days),
    }
