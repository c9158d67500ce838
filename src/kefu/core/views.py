"""Pages that belong to no product area: home pages, health, unknown hosts (a suspended
workspace is answered by tenants.middleware)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache


def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/public_home.html")


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
