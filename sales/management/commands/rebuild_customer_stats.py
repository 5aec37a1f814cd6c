"""Rebuild every purchase summary from the orders and report how many had drifted."""

from typing import Any

from django.core.management.base import BaseCommand

from sales.summary import rebuild_all


class Command(BaseCommand):
    help = "Rebuild the per-customer purchase summaries from the orders."

    def handle(self, *args: Any, **options: Any) -> None:
        differing, total = rebuild_all()
        self.stdout.write(
            f"Rebuilt {total} purchase summaries; {differing} differed from the orders."
        )
        if differing:
            self.stderr.write(
                self.style.WARNING("Some summaries had drifted; they are now correct.")
            )
