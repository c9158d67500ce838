"""Host -> tenant routing (django-tenants), with Kefu's page for unknown hosts;
the workspace's time zone; text PostgreSQL cannot store kept out of views; compressed text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django_tenants.middleware.main import TenantMainMiddleware

from kefu.core.parsing import refuse_unstorable, unstorable


class TenantMiddleware(TenantMainMiddleware):
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        # A suspended workspace is answered by tenants.middleware.SuspendedWorkspaceMiddleware,
        # once the session says who is asking (its staff see why, its customers do not).
        return super().process_request(request)


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


class UnstorableTextMiddleware:
    """No text holding NUL reaches a view (PostgreSQL cannot store it): a NUL in the path, the
    query string or a form field is a 400 that says so, and a cookie holding one is dropped.

    The API's views check their own requests (to answer in the API's JSON error shape), and
    views exempt from CSRF read their own bodies (webhooks), so their forms are not parsed here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, value in list(request.COOKIES.items()):
            if unstorable(name) or unstorable(value):
                del request.COOKIES[name]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        if getattr(view, "checks_own_input", False):
            return
        refuse_unstorable(request, form=not getattr(view, "csrf_exempt", False))


#: Content types worth compressing; everything else (images, PDFs, archives, attachments of any
#: kind) is either compressed already or a download whose Content-Length should stay.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    """Django's gzip (with its BREACH mitigation: a random-length gzip header), for text only.

    Streaming answers stay streamed (Django compresses them chunk by chunk); answers that set
    their own Content-Encoding (WhiteNoise's precompressed files) pass untouched."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        content_type = response.get("Content-Type", "").lower()
        if not content_type.startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)
