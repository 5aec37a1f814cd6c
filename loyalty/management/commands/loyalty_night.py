"""Run the nightly points work now: confirm due earnings, expire points, warn members."""

from typing import Any

from django.core.management.base import BaseCommand

from loyalty.nightly import run_night


class Command(BaseCommand):
    help = "Confirm due earnings, expire the points whose day has come and warn members."

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_night()
        self.stdout.write(
            f"confirmed {result.confirmed} earnings, expired {result.expired} points, "
            f"warned {result.warned} members"
        )
