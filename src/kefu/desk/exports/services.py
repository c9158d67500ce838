"""Start, run and expire workspace exports. Everything here runs inside the tenant's schema.

An export is written to a temporary file page by page (never the whole workspace in memory),
then stored under the workspace's own storage folder (MEDIA_ROOT/<schema>/exports/...). Each run
claims the export with a fresh token; only the run that still holds the token may finish it, so
a job delivered twice, or retried after a crash, leaves one file and one result.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.desk.exports.columns import Dataset, datasets_for
from kefu.desk.models import EXPORT_KEEP_DAYS, ExportJob

logger = logging.getLogger(__name__)

FORMAT_NAME = "kefu-workspace-export/1"
#: Rows read per query (keyset pages by id: bounded memory, no long-lived cursor).
PAGE_ROWS = 200
#: Progress is written to the export row after at least this many more rows.
PROGRESS_EVERY = 200
#: A queued or running export younger than this blocks a new one (older: its worker died).
BUSY_HOURS = 12
#: Cells a spreadsheet would read as a formula; they get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """The export cannot be started; the message says why."""


def export_list() -> QuerySet[ExportJob]:
    return ExportJob.objects.select_related("requested_by")


def export_start(
    *, parts: list[str], file_format: str, requested_by: Any, workspace_slug: str
) -> ExportJob:
    from kefu.desk.jobs import workspace_export_job
    from kefu.jobs import enqueue_on_commit

    parts = [part for part in ExportJob.Part.values if part in set(parts)]
    if not parts:
        raise ExportError(_("Choose at least one thing to export."))
    if file_format not in ExportJob.Format.values:
        raise ExportError(_("Choose CSV or JSON."))
    with transaction.atomic():
        busy_since = timezone.now() - timedelta(hours=BUSY_HOURS)
        busy = ExportJob.objects.select_for_update().filter(
            status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
            created_at__gte=busy_since,
        )
        if busy.exists():
            raise ExportError(_("An export is already running. Wait until it is done."))
        extension = "zip" if file_format == ExportJob.Format.CSV else "json"
        export = ExportJob.objects.create(
            parts=parts,
            file_format=file_format,
            requested_by=requested_by,
            filename=f"kefu-export-{workspace_slug}-{timezone.now():%Y%m%d}.{extension}",
        )
        enqueue_on_commit(workspace_export_job, export.pk)
    return export


def export_run(*, export_id: int) -> ExportJob | None:
    """Write the export; a finished one (done, failed, expired) is left as it is."""
    token = secrets.token_hex(8)
    export = _claim(export_id, token)
    if export is None:
        return ExportJob.objects.filter(pk=export_id).first()
    handle = tempfile.NamedTemporaryFile(prefix="kefu-export-", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    try:
        progress = _Progress(export, token)
        if export.file_format == ExportJob.Format.CSV:
            _write_csv_zip(path, datasets_for(export.parts), progress)
        else:
            _write_json(path, export, datasets_for(export.parts), progress)
        with path.open("rb") as content:
            stored = default_storage.save(
                f"exports/{export.pk}/{token}/{export.filename}", File(content)
            )
        _finish(export.pk, token, stored)
    except Exception as error:
        logger.exception("export %s failed", export_id)
        _fail(export.pk, token, f"{type(error).__name__}: {error}")
    finally:
        path.unlink(missing_ok=True)
    exports_expire()
    return ExportJob.objects.filter(pk=export_id).first()


def exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of exports finished more than EXPORT_KEEP_DAYS ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=EXPORT_KEEP_DAYS)
    expired = 0
    for export in ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff):
        name = export.file.name
        ExportJob.objects.filter(pk=export.pk).update(status=ExportJob.Status.EXPIRED, file="")
        if name:  # after the row: a crash here leaves a stray file, never a dead link
            default_storage.delete(name)
        expired += 1
    return expired


def export_open(export: ExportJob) -> IO[bytes] | None:
    """The stored file of a done export, or None when there is none (any more)."""
    if export.status != ExportJob.Status.DONE or not export.file.name:
        return None
    if not default_storage.exists(export.file.name):
        return None
    return default_storage.open(export.file.name, "rb")


# --- the run ------------------------------------------------------------------------------------


def _claim(export_id: int, token: str) -> ExportJob | None:
    with transaction.atomic():
        export = ExportJob.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.is_finished:
            return None
        export.status = ExportJob.Status.RUNNING
        export.run_token = token
        export.progress_done = 0
        export.progress_total = sum(
            dataset.rows().count() for dataset in datasets_for(export.parts)
        )
        export.error = ""
        export.save(
            update_fields=["status", "run_token", "progress_done", "progress_total", "error"]
        )
        return export


def _finish(export_id: int, token: str, stored: str) -> None:
    with transaction.atomic():
        export = ExportJob.objects.select_for_update().get(pk=export_id)
        if export.run_token != token or export.status != ExportJob.Status.RUNNING:
            default_storage.delete(stored)  # another run took the export over: its file counts
            return
        export.file.name = stored
        export.status = ExportJob.Status.DONE
        export.progress_done = export.progress_total
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "status", "progress_done", "finished_at"])


def _fail(export_id: int, token: str, message: str) -> None:
    ExportJob.objects.filter(pk=export_id, run_token=token, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


class _Progress:
    def __init__(self, export: ExportJob, token: str) -> None:
        self.export_id, self.token = export.pk, token
        self.done = self.saved = 0

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.done - self.saved >= PROGRESS_EVERY:
            ExportJob.objects.filter(pk=self.export_id, run_token=self.token).update(
                progress_done=self.done
            )
            self.saved = self.done


def _pages(queryset: QuerySet) -> Iterator[list[Any]]:
    last = 0
    while True:
        page = list(queryset.filter(pk__gt=last).order_by("pk")[:PAGE_ROWS])
        if not page:
            return
        yield page
        last = page[-1].pk


def _when(value: datetime) -> str:
    from kefu.tickets.calendar import workspace_timezone

    return timezone.localtime(value, workspace_timezone()).replace(microsecond=0).isoformat()


def csv_cell(value: object) -> object:
    """A value as a spreadsheet cell: text that could run as a formula starts with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False) if value else ""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return _when(value)
    return value


def _json_record(dataset: Dataset, row: Any) -> dict[str, object]:
    return {key: _json_value(value) for key, value in dataset.record(row).items()}


def _write_csv_zip(path: Path, datasets: list[Dataset], progress: _Progress) -> None:
    """One CSV file per dataset, UTF-8 with a byte order mark (so Excel reads Chinese)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for dataset in datasets:
            with (
                archive.open(f"{dataset.name}.csv", "w", force_zip64=True) as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
            ):
                writer = csv.writer(text)
                writer.writerow([column.name for column in dataset.columns])
                for page in _pages(dataset.rows()):
                    writer.writerows(
                        [csv_cell(column.value(row)) for column in dataset.columns] for row in page
                    )
                    progress.advance(len(page))


def _write_json(
    path: Path, export: ExportJob, datasets: list[Dataset], progress: _Progress
) -> None:
    """One JSON object: a header, then a list per dataset; nested datasets (messages,
    identities) sit inside their parent rows. Written row by row."""
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=_schema()).first()
    header = {
        "format": FORMAT_NAME,
        "workspace": {"name": tenant.name, "slug": tenant.slug} if tenant else {},
        "exported_at": _when(timezone.now()),
        "parts": export.parts,
    }
    nested = {dataset.name: dataset for dataset in datasets if dataset.parent_key}
    children_of = {
        parent.name: child
        for child in nested.values()
        for parent in datasets
        if parent.part == child.part and not parent.parent_key
    }
    top = [dataset for dataset in datasets if not dataset.parent_key]
    with path.open("w", encoding="utf-8") as out:
        out.write("{\n")
        for key, value in header.items():
            out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        for index, dataset in enumerate(top):
            out.write(f"{json.dumps(dataset.name)}: [")
            _write_json_rows(out, dataset, children_of.get(dataset.name), progress)
            out.write("\n]" + ("," if index < len(top) - 1 else "") + "\n")
        out.write("}\n")


def _write_json_rows(
    out: IO[str], dataset: Dataset, child: Dataset | None, progress: _Progress
) -> None:
    separator = "\n"
    for page in _pages(dataset.rows()):
        grouped: dict[int, list[dict[str, object]]] = {}
        child_rows = 0
        if child is not None:
            ids = [row.pk for row in page]
            rows = child.rows().filter(**{f"{child.parent_key}__in": ids}).order_by("pk")
            for row in rows:
                grouped.setdefault(getattr(row, child.parent_key), []).append(
                    _json_record(child, row)
                )
                child_rows += 1
        for row in page:
            record = _json_record(dataset, row)
            if child is not None:
                record[child.nested_as] = grouped.get(row.pk, [])
            out.write(separator + json.dumps(record, ensure_ascii=False))
            separator = ",\n"
        progress.advance(len(page) + child_rows)


def _schema() -> str:
    from kefu.tenancy import current_schema

    return current_schema()
