"""File storage per tenant: MEDIA_ROOT/<schema>/..., decided at every call."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tenants.files.storage import TenantFileSystemStorage


class TenantStorage(TenantFileSystemStorage):
    """django-tenants' storage, but nothing about the location is cached: its cached media
    root ignores later changes of MEDIA_ROOT (its reset hook passes the wrong argument)."""

    @property
    def relative_media_root(self) -> str:  # type: ignore[override]
        relative = getattr(settings, "MULTITENANT_RELATIVE_MEDIA_ROOT", "")
        return str(Path(settings.MEDIA_ROOT) / relative) if relative else str(settings.MEDIA_ROOT)
