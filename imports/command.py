"""The shared body of manage.py import_customers and import_orders."""

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, Never

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import translation
from tqdm import tqdm

from accounts.models import Role, User
from core.errors import DomainError
from imports import services
from imports.models import ImportJob

SHOWN_REJECTIONS = 50


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file; the header is row 1.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, write nothing."
        )
        parser.add_argument("--encoding", default="", help="utf-8 or gb18030 (default: detect).")
        parser.add_argument("--mapping", default="", help="Name of a saved column mapping.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--user", default="", help="Acting username (default: the first admin)."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows even when some are rejected.",
        )
        parser.add_argument("--language", default="", help="Language of the reasons (en, zh-hans).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Import the file (or only check it); exit with status 1 when any row is rejected."""
        user = _acting_user(options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        language = options["language"] or user.language or None
        with translation.override(language), path.open("rb") as stream:
            try:
                job = services.start_job(
                    user,
                    self.kind,
                    stream,
                    path.name,
                    encoding=options["encoding"],
                    mapping_name=options["mapping"],
                    skip_invalid=options["skip_invalid"],
                )
                if job.headers:
                    job = self._run(
                        job, commit=not options["dry_run"], quiet=options["format"] == "json"
                    )
            except DomainError as refused:
                raise CommandError(refused.message) from None
        self._print(job, options["format"])
        if job.rejected_count or job.status == "failed":
            raise SystemExit(1)

    def _run(self, job: ImportJob, commit: bool, quiet: bool) -> ImportJob:
        bar: tqdm[Never] = tqdm(
            None,
            total=job.total_rows,
            unit="rows",
            desc="Importing" if commit else "Checking",
            disable=quiet,
            file=sys.stderr,
            mininterval=0.5,
        )

        def progress(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        try:
            return services.run_job(job.pk, commit, on_progress=progress)
        finally:
            bar.close()

    def _print(self, job: ImportJob, output: str) -> None:
        outcome = services.result(job)
        if output == "json":
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
            return
        state = (
            "committed" if job.committed else ("checked only" if job.dry_run else "NOT committed")
        )
        self.stdout.write(
            f"Import #{job.pk} {job.file_name}: {state}; created {job.created_count}, "
            f"updated {job.updated_count}, unchanged {job.unchanged_count}, "
            f"rejected {job.rejected_count}."
        )
        for rejected in outcome["rejected"][:SHOWN_REJECTIONS]:
            self.stdout.write(f"  row {rejected['row']} {rejected['column']}: {rejected['reason']}")


def _acting_user(username: str) -> User:
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username}.")
        return user
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
    admin = admins.order_by("pk").first()
    if admin is None:
        raise CommandError("No admin user exists; pass --user USERNAME.")
    return admin
