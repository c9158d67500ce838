"""Pages that belong to no product area: home pages, health, unknown and suspended hosts."""

from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache

from kefu.kb.selectors import article_get_published, article_list_published


def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/public_home.html")


def help_center_home(request: HttpRequest) -> HttpResponse:
    language = translation.get_language()
    articles = list(article_list_published(language=language)[:20]) or list(
        article_list_published()[:20]
    )
    return render(request, "core/help_center_home.html", {"articles": articles})


def article_detail(request: HttpRequest, article_id: int, slug: str) -> HttpResponse:
    article = article_get_published(article_id=article_id)
    if article is None:
        raise Http404
    if slug != article.slug:
        return redirect("article_detail", article_id=article.id, slug=article.slug, permanent=True)
    return render(request, "core/article_detail.html", {"article": article})


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


def suspended(request: HttpRequest) -> HttpResponse:
    """A suspended workspace: a clear page, its data untouched."""
    return _render_outside_tenant(request, "core/suspended.html", 503)
