"""Imports: take a file in, check it (dry run), then write it all or nothing; record each run.

Views, commands and the background task call these functions; they parse, check access
and render, nothing more. A commit is one database transaction (see docs/decisions.md).
"""

import datetime
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.actors import Actor, acting_as
from core.errors import Conflict, Forbidden, NotFound
from imports import progress as progress_store
from imports import tasks
from imports.engine import Outcome, run_rows
from imports.exports import Selection
from imports.mapping import fields_for, missing_required, propose
from imports.models import ImportJob, RejectedRow, SavedMapping, Status
from imports.readers import FileProblem, check_name_and_size, open_table
from imports.rows import RowError

ERROR_COLUMN_HEADER = "error"


class ImportDenied(Forbidden):
    """Raised when the user's role may not import, or may not change this job (403)."""


class ImportNotReady(Conflict):
    """Raised when the job's state does not allow what was asked now (409)."""


def can_import(user: User) -> bool:
    """Return whether the user's role may bring files in (IMPORT_ROLES; agents may not)."""
    roles = getattr(settings, "IMPORT_ROLES", ("admin", "manager", "rep"))
    return user.is_active and (user.is_superuser or user.role in roles)


def background_threshold() -> int:
    return int(getattr(settings, "IMPORT_BACKGROUND_ROWS", 3000))


def visible_jobs(user: User) -> Any:
    """Return the imports the user may inspect: their own; an admin sees everyone's."""
    jobs = ImportJob.objects.select_related("created_by")
    return jobs if user.is_admin else jobs.filter(created_by=user)


def check_may_import(user: User) -> None:
    """Refuse a user whose role may not bring files in."""
    if not can_import(user):
        raise ImportDenied(_("Your role may not import files."))


def _hash_and_size(stream: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def start_job(
    actor: User,
    kind: str,
    stream: IO[bytes],
    file_name: str,
    *,
    encoding: str = "",
    mapping_name: str = "",
    skip_invalid: bool = False,
) -> ImportJob:
    """Keep the file, read its header and propose a mapping; return the recorded job.

    A file refused outright (type, size, encoding, damage) is still recorded, as a failed
    job whose one rejection says why.
    """
    check_may_import(actor)
    file_hash, size = _hash_and_size(stream)
    job = ImportJob(
        kind=kind,
        created_by=actor,
        file_name=Path(file_name).name[:255],
        file_hash=file_hash,
        file_size=size,
        encoding=encoding,
        skip_invalid=skip_invalid,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    try:
        check_name_and_size(file_name, size)
    except FileProblem as problem:
        return _refused(job, problem)
    job.file.save(f"{file_hash[:16]}{Path(file_name).suffix.lower()}", File(stream), save=False)
    job.save()
    try:
        _inspect(job, mapping_name)
    except FileProblem as problem:
        return _refused(job, problem)
    return job


def _refused(job: ImportJob, problem: FileProblem) -> ImportJob:
    job.status = Status.FAILED
    job.message = problem.reason
    job.rejected_count = 1
    job.finished_at = timezone.now()
    job.save()
    RejectedRow.objects.create(
        job=job, row=problem.row, column=problem.column, reason=problem.reason
    )
    return job


def _inspect(job: ImportJob, mapping_name: str) -> None:
    # Look the saved mapping up first: an unknown name fails the job before any header
    # is recorded, so nothing goes on to run it with a guessed mapping.
    saved = None
    if mapping_name:
        saved = SavedMapping.objects.filter(kind=job.kind, name=mapping_name).first()
        if saved is None:
            raise FileProblem(
                _("There is no saved mapping called %(name)s.") % {"name": mapping_name}
            )
    with open_table(Path(job.file.path), job.file_name, job.encoding) as table:
        headers = table.headers
        encoding = table.encoding
        delimiter = table.delimiter
        total_rows = table.estimated_rows
    job.headers = headers
    job.encoding = encoding
    job.delimiter = delimiter
    job.total_rows = total_rows
    job.mapping = propose(job.kind, job.headers)
    if saved is not None:
        job.mapping = {f: h for f, h in saved.mapping.items() if h in job.headers}
    job.save()


def set_mapping(
    actor: User, job: ImportJob, mapping: Mapping[str, str], skip_invalid: bool
) -> ImportJob:
    """Replace the job's column mapping (known fields onto headers of the file)."""
    _check_owner(actor, job)
    if job.committed or not may_run(job):
        raise ImportNotReady(_("This import has already started or changed; reload the page."))
    known = {spec.name for spec in fields_for(job.kind)}
    job.mapping = {f: h for f, h in mapping.items() if f in known and h in job.headers}
    job.skip_invalid = skip_invalid
    job.status = Status.UPLOADED
    job.save(update_fields=["mapping", "skip_invalid", "status"])
    return job


def save_mapping(actor: User, kind: str, name: str, mapping: Mapping[str, str]) -> SavedMapping:
    """Keep a mapping under a name for the next file from the same source."""
    check_may_import(actor)
    saved, _created = SavedMapping.objects.update_or_create(
        kind=kind, name=name.strip(), defaults={"mapping": dict(mapping), "created_by": actor}
    )
    return saved


def _check_owner(actor: User, job: ImportJob) -> None:
    check_may_import(actor)
    if job.created_by_id != actor.pk and not actor.is_admin:
        raise ImportDenied(_("This import belongs to someone else."))


def prepare_run(actor: User, job: ImportJob, commit: bool) -> ImportJob:
    """Check that the job may run now and mark it queued; the run itself is run_job."""
    _check_owner(actor, job)
    if not job.file:
        raise ImportDenied(
            _("This import's file was deleted (kept only for a while); upload the file again.")
        )
    if not may_run(job) or (job.status == Status.FAILED and not job.headers):
        raise ImportNotReady(_("This import cannot run now."))
    if commit and (job.committed or not job.may_commit()):
        raise ImportNotReady(
            _("Run the check first; it must find no rejected rows, or choose to skip them.")
        )
    status = Status.IMPORTING if commit else Status.VALIDATING
    started_at = timezone.now()
    # Compare and set: of two clicks that both read the same status, only one moves it on.
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=job.status, started_at=job.started_at
    ).update(status=status, started_at=started_at)
    if not claimed:
        raise ImportNotReady(_("This import has already started or changed; reload the page."))
    job.status = status
    job.started_at = started_at
    progress_store.report(job.pk, job.status, 0, job.total_rows)
    return job


def start_run(actor: User, job: ImportJob, commit: bool) -> ImportJob:
    """Claim the job (prepare_run) and run it: a small file at once, a large one on the queue.

    The queued task is sent only once the claim has committed, so the worker never reads
    the job before its new status (or runs one whose claim was rolled back).
    """
    prepare_run(actor, job, commit)
    if job.total_rows > background_threshold():
        job_id = job.pk
        transaction.on_commit(lambda: tasks.run_import(job_id, commit))
        return job
    return run_job(job.pk, commit)


def run_job(
    job_id: int, commit: bool, on_progress: Callable[[int, int], None] | None = None
) -> ImportJob:
    """Check (commit=False) or import the job's file; record the outcome on the job.

    An import is one transaction: when any row is rejected and the job does not skip
    invalid rows, or anything fails, the transaction rolls back and nothing is written.
    """
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    job.status = Status.IMPORTING if commit else Status.VALIDATING
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "started_at"])
    # Every row the job writes is recorded as done by this import, on behalf of its user.
    with (
        translation.override(job.language or settings.LANGUAGE_CODE),
        acting_as(Actor.of_import(job.created_by, job.pk)),
    ):
        outcome, committed, message = _run(job, commit, on_progress)
    return _finish(job, outcome, committed, commit, message)


def _run(
    job: ImportJob, commit: bool, on_progress: Callable[[int, int], None] | None
) -> tuple[Outcome, bool, str]:
    def progress(done: int) -> None:
        progress_store.report(job.pk, job.status, done, job.total_rows)
        if on_progress is not None:
            on_progress(done, job.total_rows)

    try:
        with open_table(Path(job.file.path), job.file_name, job.encoding) as table:
            missing = missing_required(job.kind, job.mapping)
            if missing:
                names = ", ".join(str(spec.label) for spec in missing)
                raise FileProblem(
                    _("Required columns are missing: %(names)s.") % {"names": names}, row=1
                )
            if not commit:
                return _rows(job, table.headers, table.rows, False, progress), False, ""
            with transaction.atomic():
                outcome = _rows(job, table.headers, table.rows, True, progress)
                committed = outcome.rejected_count == 0 or job.skip_invalid
                # All or nothing: any rejected row undoes every row already written.
                transaction.set_rollback(not committed)
            return outcome, committed, ""
    except FileProblem as problem:
        outcome = Outcome(rejected_count=1)
        outcome.errors.append(RowError(problem.row, problem.column, problem.reason))
        return outcome, False, problem.reason
    except IntegrityError:
        message = _(
            "Another change to the same records happened at the same time; nothing was "
            "imported. Run the import again."
        )
        return Outcome(), False, message
    except DatabaseError as error:
        return Outcome(), False, _("The database refused the import: %(error)s") % {"error": error}


def _rows(
    job: ImportJob,
    headers: list[str],
    rows: Iterator[Any],
    write: bool,
    progress: Callable[[int], None],
) -> Outcome:
    """Return the outcome of checking (and when `write`, writing) the rows; a file with a
    header and no rows is a problem of the file, not an import of nothing."""
    outcome = run_rows(
        job.kind,
        job.created_by,
        headers,
        dict(job.mapping),
        rows,
        write=write,
        skip_invalid=job.skip_invalid,
        progress=progress,
    )
    if outcome.total_rows == 0:
        raise FileProblem(_("The file has a header but no data rows."), row=2)
    return outcome


def _finish(
    job: ImportJob, outcome: Outcome, committed: bool, commit: bool, message: str
) -> ImportJob:
    with transaction.atomic():
        job.rejected_rows.all().delete()
        kept: set[int] = set()
        rejected = []
        for error in outcome.errors:
            cells = outcome.rejected_cells.get(error.row, []) if error.row not in kept else []
            kept.add(error.row)
            rejected.append(
                RejectedRow(
                    job=job, row=error.row, column=error.column, reason=error.reason, values=cells
                )
            )
        RejectedRow.objects.bulk_create(rejected, batch_size=2000)
        job.created_count = outcome.created
        job.updated_count = outcome.updated
        job.unchanged_count = outcome.unchanged
        job.rejected_count = outcome.rejected_count
        job.total_rows = outcome.total_rows or job.total_rows
        job.committed = committed
        job.dry_run = not commit
        job.message = message
        job.finished_at = timezone.now()
        job.status = _final_status(outcome, committed, commit, message)
        job.save()
    progress_store.clear(job.pk)
    return job


def _final_status(outcome: Outcome, committed: bool, commit: bool, message: str) -> str:
    if message and not outcome.total_rows:
        return Status.FAILED
    if not commit:
        return Status.VALIDATED
    return Status.COMMITTED if committed else Status.NOT_COMMITTED


def result(job: ImportJob) -> dict[str, Any]:
    """Return the outcome as the commands print it with --format json."""
    rejected = [
        {"row": r.row, "column": r.column, "reason": r.reason} for r in job.rejected_rows.all()
    ]
    return {**job.result(), "rejected": rejected}


def select_rejected_rows(user: User, values: Mapping[str, Any]) -> Selection:
    """Return the rejected rows of one of the user's imports as they were, plus an error
    column: the user fixes these rows in Excel and imports just this file."""
    job = visible_jobs(user).filter(pk=values.get("import")).first()
    if job is None:
        raise NotFound(_("There is no such import."))
    rows = job.rejected_rows.values("row").distinct().count()
    return Selection(rows, _rejected_rows(job))


def _rejected_rows(job: ImportJob) -> Iterator[list[Any]]:
    yield [*job.headers, _("error")]
    by_row: dict[int, tuple[list[str], list[str]]] = {}
    for rejected in job.rejected_rows.all().iterator(chunk_size=2000):
        cells, reasons = by_row.setdefault(rejected.row, (list(rejected.values), []))
        reasons.append(
            f"{rejected.column}: {rejected.reason}" if rejected.column else rejected.reason
        )
    for _row, (cells, reasons) in sorted(by_row.items()):
        yield [*cells, *[""] * (len(job.headers) - len(cells)), "; ".join(reasons)]


def earlier_imports(job: ImportJob) -> list[ImportJob]:
    """Return earlier committed imports of the very same file (same SHA-256)."""
    same = ImportJob.objects.filter(file_hash=job.file_hash, kind=job.kind, committed=True)
    return list(same.exclude(pk=job.pk).order_by("-created_at")[:5])


def may_run(job: ImportJob) -> bool:
    """Return whether the job may start: it is not running, or its worker stopped reporting.

    A worker killed mid-run left nothing written (each run is one transaction), so the
    job can simply run again.
    """
    if not job.file:  # pruned after IMPORT_RETENTION_DAYS, or named an erased person
        return False
    return not job.is_running or bool(progress_of(job)["stale"])


def status_label(job: ImportJob) -> str:
    """Return the job's status in words: "Interrupted" for a running job whose worker stopped
    reporting (killed), which the stored status would show as running forever."""
    if job.is_running and progress_of(job)["stale"]:
        return str(_("Interrupted"))
    return str(job.get_status_display())


def with_status_labels(jobs: Iterable[ImportJob]) -> list[ImportJob]:
    """Return the jobs, each with `status_label` set for the list."""
    listed = list(jobs)
    for job in listed:
        job.status_label = status_label(job)  # type: ignore[attr-defined]
    return listed


def progress_of(job: ImportJob) -> dict[str, Any]:
    """Return how far a running job is: rows done, rows in all, percent, and whether stale."""
    report = progress_store.read(job.pk)
    done = int(report.get("done", 0)) if report else (job.total_rows if job.is_finished else 0)
    total = max(job.total_rows, done, 1)
    at = report.get("at") if report else None
    last = datetime.datetime.fromtimestamp(at, tz=datetime.UTC) if at else None
    return {
        "done": done,
        "total": total,
        "percent": min(100, int(100 * done / total)),
        "stale": job.is_stale(timezone.now(), last),
    }
