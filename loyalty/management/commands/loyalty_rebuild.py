"""Prove that every member's kept points balance and debt equal their ledger."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loyalty.points import mismatches


class Command(BaseCommand):
    help = (
        "Compare each member's kept points balance and debt with the sums of their ledger "
        "and lots; exit 1 if any differ (with --fix, set them to the ledger's)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fix", action="store_true", help="Set the kept figures to the ledger's."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found = mismatches(fix=options["fix"])
        for m in found[:50]:
            self.stdout.write(
                f"member {m.member_id}: kept {m.kept[0]} (owed {m.kept[1]}), ledger "
                f"{m.ledger[0]} (owed {m.ledger[1]}), lots {m.lots}"
            )
        self.stdout.write(f"{len(found)} members differ from their ledger")
        if found and not options["fix"]:
            raise SystemExit(1)
