"""``/api/v1/articles``: the knowledge base for staff tools, authenticated by API token.

    Authorization: Bearer kefu_...

No cookies are accepted here, so there is nothing for CSRF to protect; every call acts as the
token's owner (owner, admin or agent of this workspace).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from kefu.accounts.services import api_token_authenticate
from kefu.kb.models import Article, Category, Language
from kefu.kb.services import article_save

FIELDS = ("title", "body", "summary", "language", "status", "tags", "category_id", "kind")
MAX_LIMIT = 100


def _error(status: int, code: str, message: str, **extra: object) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def token_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        user = api_token_authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            response = _error(401, "unauthenticated", "Send a valid staff API token.")
            response["WWW-Authenticate"] = 'Bearer realm="kefu"'
            return response
        request.api_user = user
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def article_json(article: Article) -> dict[str, object]:
    return {
        "id": article.pk,
        "kind": article.kind,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "body_html": article.body_html,
        "language": article.language,
        "status": article.status,
        "tags": article.tags,
        "category_id": article.category_id,
        "url": article.get_absolute_url(),
        "views": article.view_count,
        "helpful": article.helpful_count,
        "unhelpful": article.unhelpful_count,
        "updated_at": article.updated_at.isoformat(),
    }


def _payload(request: HttpRequest) -> dict[str, object]:
    try:
        data = json.loads(request.body or b"{}")
    except json.JSONDecodeError as error:
        raise ValueError(f"The body is not JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise ValueError("The body must be a JSON object.")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(unknown)}")
    return data


def _save(request: HttpRequest, article: Article | None) -> JsonResponse:
    try:
        data = _payload(request)
    except ValueError as error:
        return _error(400, "bad_request", str(error))
    current = article_json(article) if article else {}
    merged = {**current, **data}
    category = None
    if merged.get("category_id"):
        category = Category.objects.filter(pk=merged["category_id"]).first()
        if category is None:
            return _error(
                400, "invalid", "Unknown category_id.", fields={"category_id": ["unknown"]}
            )
    tags = merged.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return _error(
            400, "invalid", "tags must be a list of strings.", fields={"tags": ["invalid"]}
        )
    try:
        saved = article_save(
            article=article,
            author=request.api_user,
            title=str(merged.get("title") or ""),
            body=str(merged.get("body") or ""),
            summary=str(merged.get("summary") or ""),
            language=str(merged.get("language") or ""),
            status=str(merged.get("status") or Article.Status.DRAFT),
            kind=str(merged.get("kind") or Article.Kind.ARTICLE),
            tags=tags,
            category=category,
        )
    except ValidationError as error:
        return _error(400, "invalid", "Some fields are not valid.", fields=error.message_dict)
    return JsonResponse(article_json(saved), status=200 if article else 201)


@token_required
def article_collection(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    if request.method != "GET":
        return _error(405, "method_not_allowed", "Use GET or POST.")
    articles = Article.objects.order_by("-updated_at")
    status = request.GET.get("status")
    if status:
        articles = articles.filter(status=status)
    language = request.GET.get("language")
    if language in Language.values:
        articles = articles.filter(language=language)
    try:
        limit = min(max(int(request.GET.get("limit", "20")), 1), MAX_LIMIT)
        offset = max(int(request.GET.get("offset", "0")), 0)
    except ValueError:
        return _error(400, "bad_request", "limit and offset must be numbers.")
    page = list(articles[offset : offset + limit])
    return JsonResponse(
        {
            "count": articles.count(),
            "limit": limit,
            "offset": offset,
            "results": [article_json(article) for article in page],
        }
    )


@token_required
def article_item(request: HttpRequest, article_id: int) -> HttpResponse:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return _error(404, "not_found", "No such article.")
    if request.method == "GET":
        return JsonResponse(article_json(article))
    if request.method in {"PATCH", "PUT"}:
        return _save(request, article)
    if request.method == "DELETE":
        article.delete()  # its index entries go with it (cascade)
        return HttpResponse(status=204)
    return _error(405, "method_not_allowed", "Use GET, PATCH, PUT or DELETE.")
