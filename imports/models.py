"""Records of every import and export: who, when, which file, what happened."""

import datetime
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStorage(FileSystemStorage):
    """Uploaded import files, under var/imports unless IMPORTS_DIR says otherwise.

    The place is read from the settings on every use (not fixed at start-up), so a test or
    a deployment that changes IMPORTS_DIR is obeyed.
    """

    @property
    def base_location(self) -> str:
        return str(getattr(settings, "IMPORTS_DIR", None) or settings.VAR_DIR / "imports")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def _upload_storage() -> FileSystemStorage:
    """Return the storage of uploaded import files."""
    return ImportStorage()


class Kind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    ORDERS = "orders", _("Orders")


class Status(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Checking")
    VALIDATED = "validated", _("Checked")
    IMPORTING = "importing", _("Importing")
    COMMITTED = "committed", _("Imported")
    NOT_COMMITTED = "not_committed", _("Not imported")
    FAILED = "failed", _("Failed")


# A job whose worker has not reported for this long is taken as interrupted (killed worker).
STALE_AFTER = datetime.timedelta(minutes=2)


class ImportJob(models.Model):
    """One file brought in: the latest dry run or commit of it, and its counts."""

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.UPLOADED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(_("file"), storage=_upload_storage, upload_to="%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_hash = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    # Field name -> header text, as proposed by the importer or corrected by the user.
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    skip_invalid = models.BooleanField(_("import valid rows, return rejected ones"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=True)
    committed = models.BooleanField(_("committed"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (Status.VALIDATING, Status.IMPORTING)

    @property
    def is_finished(self) -> bool:
        return self.status in (
            Status.VALIDATED,
            Status.COMMITTED,
            Status.NOT_COMMITTED,
            Status.FAILED,
        )

    def is_stale(self, now: datetime.datetime, last_report: datetime.datetime | None) -> bool:
        """Return whether a running job's worker has stopped reporting (killed or lost)."""
        if not self.is_running:
            return False
        last = last_report or self.started_at or self.created_at
        return now - last > STALE_AFTER

    def may_commit(self) -> bool:
        """Return whether a finished dry run may be followed by the real import."""
        if self.status != Status.VALIDATED or self.committed:
            return False
        return self.rejected_count == 0 or self.skip_invalid

    def result(self) -> dict[str, Any]:
        """Return the counts as the commands print them (without the rejected rows)."""
        return {
            "committed": self.committed,
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
        }


class RejectedRow(models.Model):
    """One reason one row of an import was rejected, with the row's cells to hand back."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejected_rows")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    reason = models.TextField(_("reason"))
    values = models.JSONField(_("cells"), default=list, blank=True)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="rejected_job_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.reason}"


class SavedMapping(models.Model):
    """A column mapping kept under a name, to reuse for files from the same source."""

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="unique_mapping_name")]

    def __str__(self) -> str:
        return self.name


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8, opens in Excel)")
    CSV_GB18030 = "csv-gb18030", _("CSV (GB18030)")
    XLSX = "xlsx", _("Excel (XLSX)")
    ZIP = "zip", _("ZIP of JSON and CSV (one customer's data)")


class ExportStatus(models.TextChoices):
    # Streamed to the browser in the request that asked for it.
    SENT = "sent", _("Downloaded at once")
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Writing the file")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")


def exports_dir() -> Path:
    """Return the folder of export files written by the worker (EXPORTS_DIR)."""
    return Path(getattr(settings, "EXPORTS_DIR", None) or settings.VAR_DIR / "exports")


class ExportRecord(models.Model):
    """One file of data taken out: by whom, what and how much; for a background export,
    also how far it is and where its file lies.

    The kind is one of the registered export sources (imports.exports.sources), so it has
    no fixed choices here: a higher app adds kinds without a migration.
    """

    kind = models.CharField(_("type"), max_length=30)
    file_format = models.CharField(_("format"), max_length=12, choices=ExportFormat.choices)
    # Empty for an export from the command line (manage.py export_customer_data).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="export_records",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.SENT
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The written file's name inside exports_dir(); empty until the worker has finished.
    file = models.CharField(_("file"), max_length=255, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def path(self) -> Path | None:
        """Return where the finished file lies, or None when there is none."""
        return exports_dir() / self.file if self.file else None

    def is_stale(self, now: datetime.datetime, last_report: datetime.datetime | None) -> bool:
        """Return whether a running export's worker has stopped reporting (killed or lost).

        A queued export may wait behind other jobs as long as it takes; only a started one
        that falls silent is taken as interrupted.
        """
        if self.status != ExportStatus.RUNNING:
            return False
        last = last_report or self.started_at or self.created_at
        return now - last > STALE_AFTER
