"""Host -> tenant routing (django-tenants), with Kefu's pages for unknown and suspended hosts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django_tenants.middleware.main import TenantMainMiddleware


class TenantMiddleware(TenantMainMiddleware):
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if getattr(tenant, "status", "active") == "suspended":
            from kefu.core.views import suspended

            return suspended(request)
        return None
