from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def kefu(request: HttpRequest) -> dict[str, object]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.schema_name == "public"
    return {
        "kefu_tenant": None if is_public else tenant,
        "kefu_root_domain": settings.ROOT_DOMAIN,
    }
