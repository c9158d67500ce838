"""Desk pages of the workspace data export (owners and admins): start one, follow its progress,
download the file, read what each file and column means."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kefu.accounts.permissions import admin_json_view, admin_required
from kefu.desk.exports.columns import DATASETS
from kefu.desk.exports.services import (
    ExportError,
    export_list,
    export_open,
    export_start,
)
from kefu.desk.forms_export import ExportForm
from kefu.desk.models import EXPORT_KEEP_DAYS, ExportJob

RECENT = 20


@admin_required
def export_page(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export_start(
                parts=form.cleaned_data["parts"],
                file_format=form.cleaned_data["file_format"],
                requested_by=request.user,
                workspace_slug=request.tenant.slug,
            )
        except ExportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The export has started. It appears below when ready."))
            return redirect("desk:data_export")
    exports = list(export_list()[:RECENT])
    return render(
        request,
        "desk/export.html",
        {
            "form": form,
            "exports": exports,
            "keep_days": EXPORT_KEEP_DAYS,
            "in_progress": any(not export.is_finished for export in exports),
        },
    )


@admin_json_view
@require_GET
def export_status(request: HttpRequest, export_id: int) -> JsonResponse:
    export = get_object_or_404(ExportJob, pk=export_id)
    done = export.status == ExportJob.Status.DONE
    return JsonResponse(
        {
            "status": export.status,
            "status_label": export.get_status_display(),
            "done": export.progress_done,
            "total": export.progress_total,
            "percent": export.percent,
            "finished": export.is_finished,
            "download_url": reverse("desk:data_export_download", args=[export.pk]) if done else "",
            "error": export.error,
        }
    )


@admin_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = get_object_or_404(ExportJob, pk=export_id)
    handle = export_open(export)
    if handle is None:
        messages.error(request, _("This export is not ready or has expired. Start a new one."))
        return redirect("desk:data_export")
    content_type = "application/zip" if export.file_format == "csv" else "application/json"
    return FileResponse(
        handle, as_attachment=True, filename=export.filename, content_type=content_type
    )


@admin_required
@require_GET
def export_help(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/export_help.html", {"datasets": DATASETS})
