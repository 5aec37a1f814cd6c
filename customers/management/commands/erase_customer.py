"""Erase one customer's personal data everywhere (a data subject's erasure request)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.errors import DomainError
from customers.models import Customer
from customers.services import erase_customer


class Command(BaseCommand):
    help = (
        "Erase a customer's personal data (profile, history values, consent sources, copies "
        "in stored API answers, rejected import rows, uploaded files, analysis files); the "
        "orders stay on the anonymised customer."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("customer_id", type=int, help="The customer's number (ID).")
        parser.add_argument(
            "--reason", required=True, help="Why (e.g. the request's date); not their name."
        )
        parser.add_argument("--user", default="", help="Username recorded as the eraser.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {options['user']!r}.")
        customer = Customer.objects.filter(pk=options["customer_id"]).first()
        if customer is None:
            raise CommandError(f"No customer with ID {options['customer_id']}.")
        try:
            erasure = erase_customer(actor, customer, options["reason"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Erased customer {customer.pk} at {erasure.erased_at:%Y-%m-%d %H:%M}.")
