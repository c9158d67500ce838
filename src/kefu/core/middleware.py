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


class WorkspaceTimezoneMiddleware:
    """Inside a workspace, times are shown in its business calendar's time zone."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.db import connection
        from django.utils import timezone

        if connection.schema_name == "public":
            return self.get_response(request)
        from kefu.tickets.calendar import workspace_timezone

        with timezone.override(workspace_timezone()):  # a bad name: the default, not an error
            return self.get_response(request)
