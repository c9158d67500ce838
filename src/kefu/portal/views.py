"""The customer-facing help center on a tenant's host: home, categories, articles, search."""

from __future__ import annotations

import html

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from kefu.core import limits
from kefu.core.colors import brand_palette
from kefu.core.parsing import parse_integer, parse_optional_id
from kefu.core.ratelimit import search_limit_hit
from kefu.core.visitors import remember_visitor, visitor_key
from kefu.kb.categories import category_ancestors
from kefu.kb.models import Article, Category
from kefu.kb.selectors import (
    article_get_published,
    article_list_for_reader,
    article_list_hot,
    article_list_published,
    category_articles,
    category_list_with_counts,
)
from kefu.kb.services import article_record_view, article_vote
from kefu.search.engine import search
from kefu.search.models import SearchLog

RELATED_LIMIT = 4
MAX_GUIDED_DEPTH = 20
MAX_GUIDED_OPTION = 999


def _search_log(request: HttpRequest, raw_id: str | None) -> SearchLog | None:
    """The visitor's own search that led here (never somebody else's)."""
    search_id = parse_optional_id(raw_id, name="sq")
    if search_id is None:
        return None
    return SearchLog.objects.filter(pk=search_id, visitor_key=visitor_key(request)).first()


def _query_problem(query: str) -> str | None:
    """Why a typed search cannot be run as it is (too long), or None."""
    return limits.length_problem(query, limit=limits.SEARCH_QUERY)


def home(request: HttpRequest) -> HttpResponse:
    # Every list and count follows one language rule (kefu.kb.selectors.article_list_for_reader).
    language = translation.get_language()
    return render(
        request,
        "portal/home.html",
        {
            "hot": article_list_hot(language=language),
            "categories": category_list_with_counts(language=language),
            "latest": article_list_for_reader(language=language)[:10],
        },
    )


def category_detail(request: HttpRequest, category_id: int, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, pk=category_id)
    if slug != category.slug:
        return redirect("category_detail", category_id=category.pk, slug=category.slug)
    language = translation.get_language()
    return render(
        request,
        "portal/category.html",
        {
            "category": category,
            "articles": category_articles(category=category, language=language),
            "ancestors": category_ancestors(category),
            "subcategories": category_list_with_counts(parent=category, language=language),
        },
    )


def related_articles(article: Article) -> list[Article]:
    """Precomputed (text + co-reading) when the refresh job has run, else similar text now."""
    precomputed = [
        link.related
        for link in article.related_links.select_related("related").filter(
            related__status=Article.Status.PUBLISHED
        )[:RELATED_LIMIT]
    ]
    if precomputed:
        return precomputed
    # Until the refresh job has run: similar text, computed once per article per ten minutes
    # rather than on every page view (the cache key carries the tenant).
    cache_key = f"portal:related:{article.pk}"
    related_ids = cache.get(cache_key)
    if related_ids is None:
        hits = search(article.title, limit=RELATED_LIMIT + 1, log=False).hits
        related_ids = [hit.article.pk for hit in hits if hit.article.pk != article.pk]
        cache.set(cache_key, related_ids[:RELATED_LIMIT], 600)
    by_id = article_list_published().in_bulk(related_ids)
    return [by_id[pk] for pk in related_ids if pk in by_id]


def _meta_description(article: Article) -> str:
    """What search engines show under the title: the summary, else the start of the text."""
    text = article.summary or html.unescape(strip_tags(article.body_html))
    return Truncator(" ".join(text.split())).chars(160)


def article_detail(request: HttpRequest, article_id: int, slug: str) -> HttpResponse:
    article = article_get_published(article_id=article_id)
    if article is None:
        raise Http404
    if slug != article.slug:
        return redirect(article.get_absolute_url(), permanent=True)
    search_log = _search_log(request, request.GET.get("sq"))
    article_record_view(article=article, visitor_key=visitor_key(request), search_log=search_log)
    response = render(
        request,
        "portal/article.html",
        {
            "article": article,
            "meta_description": _meta_description(article),
            "guided": _guided_context(article, request.GET.get("path", "")),
            "related": related_articles(article),
            "search_log": search_log,
            "translations": article_list_published()
            .filter(Q(translation_of=article) | Q(pk=article.translation_of_id or 0))
            .exclude(pk=article.pk),
        },
    )
    return remember_visitor(request, response)


@require_POST
def article_vote_view(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_get_published(article_id=article_id)
    if article is None:
        raise Http404
    helpful = request.POST.get("helpful") == "yes"
    article_vote(
        article=article,
        visitor_key=visitor_key(request),
        helpful=helpful,
        search_log=_search_log(request, request.POST.get("sq")),
    )
    message = _("Thanks! Glad it helped.") if helpful else _("Thanks for telling us.")
    if request.headers.get("Accept", "").startswith("application/json"):
        response: HttpResponse = JsonResponse(
            {"helpful": article.helpful_count, "unhelpful": article.unhelpful_count,
             "message": message}
        )  # fmt: skip
    else:
        messages.success(request, message)
        response = redirect(article.get_absolute_url() + "#feedback")
    return remember_visitor(request, response)


def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if problem := _query_problem(query):
        context = {"query": query[: limits.SEARCH_QUERY], "query_error": problem}
        return render(request, "portal/search.html", context, status=400)
    if query and not search_limit_hit(request):
        return render(request, "portal/search.html", {"query": query, "limited": True}, status=429)
    results = (
        search(
            query,
            limit=20,
            visitor_key=visitor_key(request),
            reader_language=translation.get_language(),
        )
        if query
        else None
    )
    response = render(request, "portal/search.html", {"query": query, "results": results})
    return remember_visitor(request, response)


@require_GET
def search_suggest(request: HttpRequest) -> JsonResponse:
    """Search as you type: a few titles, not logged (the submitted search is)."""
    query = request.GET.get("q", "").strip()
    if problem := _query_problem(query):
        return JsonResponse({"error": "invalid", "message": problem}, status=400)
    if not search_limit_hit(request):
        return JsonResponse({"error": "rate_limited"}, status=429)
    results = (
        search(query, limit=5, log=False, reader_language=translation.get_language())
        if len(query) >= 2
        else None
    )
    return JsonResponse(
        {
            "query": query,
            "suggestions": [
                {
                    "id": hit.article.pk,
                    "title": hit.article.title,
                    "url": hit.article.get_absolute_url(),
                }
                for hit in (results.hits if results else [])
            ],
        }
    )


def sitemap(request: HttpRequest) -> HttpResponse:
    """Every published article in both languages: each translation is its own page (the one
    exception to ``article_list_for_reader``, see there)."""
    base = request.build_absolute_uri("/")[:-1]
    articles = article_list_published().select_related(None).only("pk", "slug", "updated_at")
    return render(
        request,
        "portal/sitemap.xml",
        {"base": base, "articles": articles, "home": base + reverse("help_center_home")},
        content_type="application/xml",
    )


# --- embeddable widget ------------------------------------------------------------------------


@require_GET
def widget_script(request: HttpRequest) -> HttpResponse:
    """``<script src="https://<slug>.<root>/widget.js" async>`` on any site."""
    from kefu.desk.selectors import workspace_settings_get

    workspace = workspace_settings_get()
    palette = brand_palette(workspace.brand_color)
    response = render(
        request,
        "portal/widget.js",
        {
            "base": request.build_absolute_uri("/")[:-1],
            "tenant_name": request.tenant.name,
            "color": palette.brand,
            "text_color": palette.on_brand,
            "label": _("Help"),
            "origins": workspace.widget_origins,
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# The sites the workspace allows (any site when it lists none: the panel shows only what the
# public help center shows) may frame the panel; the rest of the policy holds as everywhere.
@xframe_options_exempt
def widget_panel(request: HttpRequest) -> HttpResponse:
    """The panel the widget opens in an iframe: search, suggestions, contact."""
    from kefu.desk.selectors import workspace_settings_get

    query = request.GET.get("q", "").strip()
    query_error = _query_problem(query)
    if query_error or (query and not search_limit_hit(request)):
        query = ""
    results = (
        search(
            query,
            limit=8,
            source=SearchLog.Source.WIDGET,
            visitor_key=visitor_key(request),
            reader_language=translation.get_language(),
        )
        if query
        else None
    )
    response = render(
        request,
        "portal/widget_panel.html",
        {
            "query": query,
            "query_error": query_error,
            "results": results,
            "hot": article_list_hot(language=translation.get_language(), limit=5),
        },
    )
    # What django-csp's csp_replace decorator sets, here per workspace.
    response._csp_replace = {"frame-ancestors": workspace_settings_get().widget_origins or ["*"]}
    return remember_visitor(request, response)


# --- guided answers ---------------------------------------------------------------------------


def _parse_path(raw: str) -> list[int]:
    """The option numbers of a guided-answer path, ``"0.2.1"``."""
    parts = raw.split(".")[:MAX_GUIDED_DEPTH] if raw else []
    return [
        parse_integer(part, name="path", minimum=0, maximum=MAX_GUIDED_OPTION) for part in parts
    ]


def _guided_context(article: Article, raw_path: str) -> dict | None:
    from kefu.kb import guided
    from kefu.kb.content import render_markdown

    if article.kind != Article.Kind.GUIDED or not article.flow:
        return None
    path = _parse_path(raw_path)
    step, labels = guided.walk(article.flow, path)
    path = path[: len(labels)]
    prefix = ".".join(str(choice) for choice in path)
    return {
        "step": step,
        "labels": labels,
        "path": prefix,
        "answer_html": render_markdown(step["text"]) if step["kind"] == "answer" else "",
        "options": [
            {"label": option["label"], "path": f"{prefix}.{index}" if prefix else str(index)}
            for index, option in enumerate(step.get("options") or [])
        ],
    }


@require_POST
def guided_outcome_view(request: HttpRequest, article_id: int) -> HttpResponse:
    from kefu.kb.services import guided_outcome_record

    article = article_get_published(article_id=article_id)
    if article is None or article.kind != Article.Kind.GUIDED:
        raise Http404
    solved = request.POST.get("solved") == "yes"
    outcome = guided_outcome_record(
        article=article,
        path=_parse_path(request.POST.get("path", "")),
        solved=solved,
        visitor_key=visitor_key(request),
    )
    if solved:
        messages.success(request, _("Glad that solved it!"))
        response = redirect(article.get_absolute_url())
    else:
        response = render(
            request, "portal/guided_contact.html", {"article": article, "outcome": outcome}
        )
    return remember_visitor(request, response)


def article_asset(request: HttpRequest, asset_id: int, filename: str) -> HttpResponse:
    """An image or file used in articles. Served as stored, never sniffed as HTML."""
    from django.http import FileResponse

    from kefu.kb.models import ArticleAsset

    asset = get_object_or_404(ArticleAsset, pk=asset_id, filename=filename)
    response = FileResponse(
        asset.file.open("rb"),
        content_type=asset.content_type,
        as_attachment=not (asset.is_image or asset.content_type == "application/pdf"),
        filename=asset.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
