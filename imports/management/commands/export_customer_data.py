"""Write everything held about one customer to a ZIP (a data subject's access request)."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from accounts.models import User
from core.errors import DomainError
from customers.models import Customer
from imports.personal_data import export_customer_data


class Command(BaseCommand):
    help = (
        "Export one customer's data (profile, history, consents, tags, orders, interactions, "
        "follow-ups, scores, warnings) as a ZIP of JSON and CSV; recorded as an export."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("customer_id", type=int, help="The customer's number (ID).")
        parser.add_argument("--output", required=True, help="The ZIP file to write.")
        parser.add_argument(
            "--user", default="", help="Username recorded as the exporter (its access applies)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
        customer_id = options["customer_id"]
        if not Customer.objects.filter(pk=customer_id).exists():
            raise CommandError(f"No customer with ID {customer_id}.")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"No such directory: {output.parent}")
        written = output.with_name(output.name + ".part")
        try:
            with written.open("wb") as target:
                export_customer_data(user, customer_id, target)
        except (DomainError, Http404) as error:
            written.unlink(missing_ok=True)
            message = (
                error.message if isinstance(error, DomainError) else "Not visible to the user."
            )
            raise CommandError(message) from None
        written.replace(output)
        self.stdout.write(f"Wrote {output}.")
