"""Images and files for articles, stored in the tenant's own media folder."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from billing.limits import PlanLimitError, storage_check
from kefu.accounts.models import User
from kefu.kb.models import ArticleAsset

MAX_ASSET_BYTES = 10 * 1024 * 1024
#: What may be served from the help center. No SVG or HTML: they can carry script.
ALLOWED_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SIGNATURES = {
    "image/png": (b"\x89PNG",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF",),
}


def asset_upload(*, upload: UploadedFile, user: User) -> ArticleAsset:
    """Keep an uploaded file for articles. The type is decided by the extension and checked
    against the file's first bytes for images and PDFs, never taken from the browser."""
    name = PurePath(upload.name or "file").name[:200]
    content_type = ALLOWED_TYPES.get(PurePath(name).suffix.lower())
    if content_type is None:
        raise ValidationError(_("This type of file cannot be used in articles."))
    if (upload.size or 0) > MAX_ASSET_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    head = upload.read(16)
    upload.seek(0)
    signatures = _SIGNATURES.get(content_type)
    if signatures and not head.startswith(signatures):
        raise ValidationError(_("The file's content does not match its name."))
    with transaction.atomic():
        try:
            storage_check(adding=upload.size or 0)
        except PlanLimitError as error:
            raise ValidationError(str(error)) from error
        return ArticleAsset.objects.create(
            file=upload, filename=name, content_type=content_type, size=upload.size or 0,
            uploaded_by=user,
        )  # fmt: skip


def asset_markdown(asset: ArticleAsset, url: str) -> str:
    """What the editor inserts: an image, or a link to the file."""
    label = asset.filename.replace("[", "(").replace("]", ")")
    return f"![{label}]({url})" if asset.is_image else f"[{label}]({url})"
