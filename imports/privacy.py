"""The copies of personal data an import leaves behind: its uploaded file, its rejected rows.

Both are needed for a while (to run the import, to hand the rejected rows back for fixing)
and then only copies: they are pruned after IMPORT_RETENTION_DAYS, and an erasure removes
the person from them at once.
"""

import datetime
import re
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.redact import contains_any, json_containing, redact
from customers.extensions import PersonalValues
from customers.models import Customer
from imports.cells import text
from imports.models import ExportRecord, ImportJob, RejectedRow
from imports.readers import FileProblem, open_table

NOT_DIGIT = re.compile(r"\D")


def _holds(path: Path, name: str, encoding: str, values: PersonalValues) -> bool:
    """Return whether the table file (an upload or an export) has a cell naming the person.

    A cell holding any of the person's texts, or a mobile written with spaces, dashes or
    +86 that has the person's digits. A file that cannot be read is taken to hold them.
    """
    try:
        with open_table(path, name, encoding) as table:
            for _row, cells in table.rows:
                for cell in cells:
                    value = text(cell)
                    if contains_any(value, values.texts):
                        return True
                    digits = NOT_DIGIT.sub("", value)
                    if values.mobile and len(digits) >= 7 and digits.endswith(values.mobile):
                        return True
    except FileNotFoundError:
        return False
    except (FileProblem, OSError, ValueError):
        return True
    return False


def _drop_file(job: ImportJob) -> Path:
    """Forget the job's file (the job stays, as a record); return the file to delete."""
    path = Path(job.file.path)
    ImportJob.objects.filter(pk=job.pk).update(file="")
    return path


def erase_customer_data(customer: Customer, values: PersonalValues) -> list[Path]:
    """Remove the person from rejected rows; return the uploaded files that name them.

    A rejected row has no link to a customer: it is found by the person's values in its
    cells or reason. The uploaded files are read through; a file naming the person goes
    as a whole (after the commit), its job stays without it.
    """
    rows = json_containing(RejectedRow.objects.all(), "values", values.texts)
    for row in rows:
        RejectedRow.objects.filter(pk=row.pk).update(
            values=redact(row.values, values.texts), reason=redact(row.reason, values.texts)
        )
    for row in RejectedRow.objects.filter(_reason_mentions(values.texts)):
        RejectedRow.objects.filter(pk=row.pk).update(reason=redact(row.reason, values.texts))
    jobs = ImportJob.objects.exclude(file="").order_by("pk")
    uploads = [
        _drop_file(job)
        for job in jobs
        if _holds(Path(job.file.path), job.file_name, job.encoding, values)
    ]
    return uploads + _export_files_naming(values)


def _export_files_naming(values: PersonalValues) -> list[Path]:
    """Forget the export files written to disk that name the person; return them to delete.

    The export's record stays (who took which data out, when); its file is gone, so its
    download answers that there is no file.
    """
    files = []
    for record in ExportRecord.objects.exclude(file="").order_by("pk"):
        path = record.path
        if path is not None and _holds(path, path.name, "", values):
            ExportRecord.objects.filter(pk=record.pk).update(file="")
            files.append(path)
    return files


def _reason_mentions(texts: tuple[str, ...]) -> Q:
    match = Q(pk__in=[])
    for value in texts:
        match |= Q(reason__contains=value)
    return match


def _delete(files: list[Path]) -> None:
    for path in files:
        path.unlink(missing_ok=True)


@transaction.atomic
def prune(now: datetime.datetime | None = None) -> int:
    """Empty the rejected rows' cells and delete the files of imports older than the retention.

    The jobs and their rejected rows' row numbers and reasons stay (what happened); the
    files go after the commit. Return how many jobs were pruned.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.IMPORT_RETENTION_DAYS)
    old = ImportJob.objects.filter(created_at__lt=cutoff)
    RejectedRow.objects.filter(job__in=old).exclude(values=[]).update(values=[])
    files = [_drop_file(job) for job in old.exclude(file="").order_by("pk")]
    transaction.on_commit(lambda: _delete(files))
    return len(files)
