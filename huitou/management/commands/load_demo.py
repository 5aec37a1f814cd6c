"""Load the demo organisation built from the real CDNOW purchases."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from customers.models import Customer
from huitou.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load demo users, products and the CDNOW customers with their orders, dates moved so "
        "the last purchase was yesterday. Loading again adds only what is missing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any customer exists."
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="Load only the first N customers of the file."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Load the demo data and report what was created and how long it took."""
        limit: int | None = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        if options["if_empty"] and Customer.objects.exists():
            self.stdout.write("Customers exist already; demo data not loaded.")
            return
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.perf_counter() - started:5.1f}s] {message}")

        result = load_demo(limit, timezone.localdate(), progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.perf_counter() - started:.1f}s: "
                f"{result.customers} customers, {result.orders} orders, "
                f"{result.interactions} interactions, {result.follow_ups} follow-ups created."
            )
        )
