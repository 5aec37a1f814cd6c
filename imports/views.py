"""Import and export pages: thin views over imports.services and imports.exports."""

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can_export, request_user
from accounts.models import User
from customers.services import CustomerFilter
from imports import exports, personal_data, services
from imports.downloads import export_response
from imports.forms import ExportForm, MappingForm, UploadForm
from imports.models import ExportFormat, ExportStatus, ImportJob, Kind


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(services.visible_jobs(request_user(request)), pk=pk)


def _start(request: HttpRequest, job: ImportJob, commit: bool) -> None:
    """Run small files at once; queue large ones for the worker (the page shows progress).

    When the job may not run now (a second click), say so on the page.
    """
    try:
        services.start_run(request_user(request), job, commit)
    except services.ImportNotReady as refused:
        messages.error(request, refused.message)


def _recent_exports(user: User) -> list[dict[str, Any]]:
    """Return the user's latest exports with what each took out and how far it is."""
    return [
        {"record": r, "label": exports.label_of(r), "progress": exports.progress_of(r)}
        for r in exports.visible_exports(user)[:20]
    ]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """List the user's imports, with the upload form and the export links."""
    user = request_user(request)
    context = {
        "jobs": services.with_status_labels(services.visible_jobs(user)[:50]),
        "form": UploadForm() if services.can_import(user) else None,
        "can_export": can_export(user),
        "formats": ExportFormat.choices,
        "query": request.GET.urlencode(),
        "exports": _recent_exports(user),
    }
    return render(request, "imports/index.html", context)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Keep the uploaded file, propose a mapping and check every row (the dry run)."""
    user = request_user(request)
    services.check_may_import(user)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {
            "jobs": services.with_status_labels(services.visible_jobs(user)[:50]),
            "form": form,
            "can_export": can_export(user),
            "formats": ExportFormat.choices,
            "exports": _recent_exports(user),
        }
        return render(request, "imports/index.html", context, status=400)
    data = form.cleaned_data
    upload_file = data["file"]
    job = services.start_job(
        user,
        data["kind"],
        upload_file,
        upload_file.name,
        encoding=data["encoding"],
        mapping_name=data["saved_mapping"],
    )
    if job.headers:
        _start(request, job, commit=False)
    return redirect("imports:job", pk=job.pk)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a job: mapping to correct, the check's report, and the import button."""
    user = request_user(request)
    job = _job(request, pk)
    form = MappingForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_mapping(user, job, form.mapping(), form.cleaned_data["skip_invalid"])
        except services.ImportNotReady as refused:
            messages.error(request, refused.message)
            return redirect("imports:job", pk=job.pk)
        if form.cleaned_data["save_as"]:
            services.save_mapping(user, job.kind, form.cleaned_data["save_as"], form.mapping())
            messages.success(request, _("Mapping saved."))
        _start(request, job, commit=False)
        return redirect("imports:job", pk=job.pk)
    context = {
        "job": job,
        "form": form,
        "rejected": job.rejected_rows.all()[:200],
        "earlier": services.earlier_imports(job),
        "progress": services.progress_of(job),
        "may_run": services.may_run(job),
    }
    return render(request, "imports/job.html", context)


@login_required
@require_POST
def job_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a checked file for real."""
    job = _job(request, pk)
    _start(request, job, commit=True)
    return redirect("imports:job", pk=job.pk)


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the progress bar; once the job is done, tell the page to reload."""
    job = _job(request, pk)
    response = render(
        request, "imports/_progress.html", {"job": job, "progress": services.progress_of(job)}
    )
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
def rejected_csv(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    """Download the rejected rows with an error column, to fix in Excel and import again."""
    return export_response(request, "rejected_rows", ExportFormat.CSV, {"import": pk})


def _export_filter(request: HttpRequest) -> tuple[CustomerFilter, str] | None:
    """Return the list filter and file format, or None when the filter is not valid."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return None
    d = form.cleaned_data
    filters = CustomerFilter(
        query=d["q"] or "",
        owner_id=d["owner"],
        tag_id=d["tag"],
        region=d["region"] or "",
        last_purchase_from=d["last_from"],
        last_purchase_to=d["last_to"],
        spend_min=d["spend_min"],
        spend_max=d["spend_max"],
        include_archived=bool(d["archived"]),
    )
    return filters, d["format"] or ExportFormat.CSV


def _export(request: HttpRequest, kind: str) -> HttpResponse | StreamingHttpResponse:
    chosen = _export_filter(request)
    if chosen is None:
        # Never fall back to no filter: that would export every visible customer.
        messages.error(request, _("The export filter is not valid; nothing was exported."))
        return redirect("imports:index")
    filters, file_format = chosen
    return export_response(request, kind, file_format, filters)


@login_required
def export_customers(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Export the customers of the current list filter, with summary and tags."""
    return _export(request, Kind.CUSTOMERS)


@login_required
def export_orders(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Export the orders of the customers of the current list filter."""
    return _export(request, Kind.ORDERS)


@login_required
def export_customer_data(request: HttpRequest, pk: int) -> FileResponse:
    """Send everything held about one customer as a ZIP (managers and admins; recorded)."""
    # Returned open: the response streams it and closes it, which deletes it.
    target = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        name = personal_data.export_customer_data(request_user(request), pk, target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type="application/zip")


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one of the user's exports: its progress while written, then the download link."""
    record = exports.export_for(request_user(request), pk)
    context = {
        "record": record,
        "label": exports.label_of(record),
        "progress": exports.progress_of(record),
    }
    return render(request, "imports/export.html", context)


@login_required
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the export's progress bar; once it is no longer running, reload the page."""
    record = exports.export_for(request_user(request), pk)
    state = exports.progress_of(record)
    response = render(
        request, "imports/_export_progress.html", {"record": record, "progress": state}
    )
    if not state["running"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """Send a finished export's file, only to the user who asked for it."""
    record = exports.export_for(request_user(request), pk)
    path = record.path
    if record.status != ExportStatus.DONE or path is None or not path.exists():
        raise Http404(_("This export has no file to download."))
    content_type, _suffix = exports.FORMATS[ExportFormat(record.file_format)]
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=exports.file_name(record),
        content_type=content_type,
    )
