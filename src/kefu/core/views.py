"""Pages that belong to no product area: home pages, health, unknown hosts (a suspended
workspace is answered by tenants.middleware)."""

from __future__ import annotations

from pathlib import Path

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

FAVICON = (Path(__file__).parent / "static" / "core" / "favicon.svg").read_bytes()


def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/public_home.html")


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, for clients that ask there without reading the pages' ``<link rel=icon>``:
    Kefu's SVG icon (browsers go by the content type, not the name)."""
    return HttpResponse(FAVICON, content_type="image/svg+xml")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "schema": connection.schema_name})


def _render_outside_tenant(
    request: HttpRequest, template: str, status: int, context: dict | None = None
) -> HttpResponse:
    # These answer before LocaleMiddleware runs, so pick the language here.
    with translation.override(translation.get_language_from_request(request)):
        return render(request, template, context or {}, status=status)


def unknown_host(request: HttpRequest) -> HttpResponse:
    """A host that is neither the root domain nor any workspace's domain."""
    return _render_outside_tenant(
        request, "core/unknown_host.html", 404, {"host": request.get_host().split(":")[0]}
    )
