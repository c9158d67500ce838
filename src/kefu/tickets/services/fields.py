"""Custom form fields of a category: which ones apply, and validation of submitted values."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core import limits
from kefu.tickets.errors import FieldErrors
from kefu.tickets.models import TicketCategory, TicketField

MAX_TEXT = limits.FIELD_TEXT
MAX_LONG_TEXT = limits.FIELD_LONG_TEXT
MAX_FILE_BYTES = 10 * 1024 * 1024
BLOCKED_EXTENSIONS = frozenset(
    {".exe", ".bat", ".cmd", ".com", ".scr", ".js", ".vbs", ".msi", ".jar", ".ps1", ".sh",
     ".html", ".htm", ".svg", ".dll", ".apk", ".app"}
)  # fmt: skip


def fields_for_category(category: TicketCategory | None) -> QuerySet[TicketField]:
    """The active fields asked on this category's form: every-category ones, then its own."""
    scope = Q(category__isnull=True)
    if category is not None:
        scope |= Q(category=category)
    return TicketField.objects.filter(scope, is_active=True).order_by(
        "category_id", "position", "id"
    )


def attachment_problem(upload: UploadedFile) -> str | None:
    """Why this upload cannot be kept, or None."""
    if upload.size and upload.size > MAX_FILE_BYTES:
        return _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // 2**20}
    if PurePath(upload.name or "").suffix.lower() in BLOCKED_EXTENSIONS:
        return _("This type of file is not accepted.")
    return None


def _clean_value(field: TicketField, raw: Any) -> Any:  # noqa: PLR0912 - a branch per type
    """The stored value of one field, or raise ValueError with the message to show."""
    kind = TicketField.Type
    if field.field_type == kind.MULTI_CHOICE:
        values = [str(v).strip() for v in (raw if isinstance(raw, list | tuple) else [raw])]
        values = [v for v in values if v]
        unknown = [v for v in values if v not in field.choices]
        if unknown:
            raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": unknown[0]})
        return values
    text = str(raw if not isinstance(raw, list | tuple) else (raw[0] if raw else "")).strip()
    if field.field_type == kind.TEXT:
        if problem := limits.length_problem(text, limit=MAX_TEXT):
            raise ValueError(problem)
        return text
    if field.field_type == kind.LONG_TEXT:
        if problem := limits.length_problem(text, limit=MAX_LONG_TEXT):
            raise ValueError(problem)
        return text
    if field.field_type == kind.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValueError(_("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if field.field_type == kind.DATE:
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if field.field_type == kind.CHOICE:
        if text not in field.choices:
            raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": text})
        return text
    raise ValueError(_("This field cannot be filled in here."))


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, list | tuple):
        return not any(str(v).strip() for v in raw)
    return not str(raw).strip()


def fields_clean(
    *,
    category: TicketCategory | None,
    data: Mapping[str, Any],
    files: Mapping[str, UploadedFile] | None = None,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Validate custom field values (``data``: key → str or list; ``files``: key → upload).

    Returns (values to store on the ticket, uploads to attach by field key). Raises FieldErrors
    with a message per bad field; unknown keys are ignored.
    """
    files = files or {}
    values: dict[str, Any] = {}
    uploads: dict[str, UploadedFile] = {}
    errors: dict[str, list[str]] = {}
    for field in fields_for_category(category):
        if field.field_type == TicketField.Type.FILE:
            upload = files.get(field.key)
            if upload is None:
                if field.required:
                    errors[field.key] = [_("Attach a file.")]
                continue
            problem = attachment_problem(upload)
            if problem:
                errors[field.key] = [problem]
            else:
                uploads[field.key] = upload
                values[field.key] = upload.name
            continue
        raw = data.get(field.key)
        if _is_empty(raw):
            if field.required:
                errors[field.key] = [_("This field is required.")]
            continue
        try:
            values[field.key] = _clean_value(field, raw)
        except ValueError as error:
            errors[field.key] = [str(error)]
    if errors:
        raise FieldErrors(errors)
    return values, uploads
