"""Import and export pages: thin views over imports.services and imports.exports."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can_export, request_user
from customers.services import CustomerFilter
from imports import exports, services
from imports.forms import ExportForm, MappingForm, UploadForm
from imports.models import ExportFormat, ImportJob, Kind


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


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """List the user's imports, with the upload form and the export links."""
    user = request_user(request)
    context = {
        "jobs": services.visible_jobs(user)[:50],
        "form": UploadForm() if services.can_import(user) else None,
        "can_export": can_export(user),
        "formats": ExportFormat.choices,
        "query": request.GET.urlencode(),
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
            "jobs": services.visible_jobs(user)[:50],
            "form": form,
            "can_export": can_export(user),
            "formats": ExportFormat.choices,
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
def rejected_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Download the rejected rows with an error column, to fix in Excel and import again."""
    job = _job(request, pk)
    response = StreamingHttpResponse(
        services.rejected_rows_csv(job), content_type="text/csv; charset=utf-8"
    )
    name = f"rejected-{job.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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


def _export(request: HttpRequest, kind: str) -> Any:
    chosen = _export_filter(request)
    if chosen is None:
        # Never fall back to no filter: that would export every visible customer.
        messages.error(request, _("The export filter is not valid; nothing was exported."))
        return redirect("imports:index")
    filters, file_format = chosen
    rows = exports.start_export(request_user(request), kind, file_format, filters)
    content_type, suffix = exports.FORMATS[ExportFormat(file_format)]
    name = f"{kind}-{timezone.localdate():%Y%m%d}.{suffix}"
    if file_format == ExportFormat.XLSX:
        return FileResponse(
            exports.xlsx_file(rows), as_attachment=True, filename=name, content_type=content_type
        )
    encoding = "gb18030" if file_format == ExportFormat.CSV_GB18030 else "utf-8"
    response = StreamingHttpResponse(exports.csv_chunks(rows, encoding), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export_customers(request: HttpRequest) -> Any:
    """Export the customers of the current list filter, with summary and tags."""
    return _export(request, Kind.CUSTOMERS)


@login_required
def export_orders(request: HttpRequest) -> Any:
    """Export the orders of the customers of the current list filter."""
    return _export(request, Kind.ORDERS)
