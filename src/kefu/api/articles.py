"""``/api/v1/articles``: the knowledge base for staff tools, authenticated by API token.

    Authorization: Bearer kefu_...

Every call acts as the token's owner (owner, admin or agent of this workspace); errors have the
API's one shape (kefu.api.errors).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.api.auth import staff_api
from kefu.api.body import Input, json_object
from kefu.api.errors import ApiError
from kefu.core.parsing import BIGINT_MAX, parse_integer
from kefu.kb.models import Article, Category, Language
from kefu.kb.services import article_save

FIELDS = frozenset(
    {"title", "body", "summary", "language", "status", "tags", "category_id", "kind"}
)
MAX_TITLE = 300
MAX_SUMMARY = 500
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
NO_ARTICLE = gettext_lazy("No such article.")
LIST_PARAMETERS = ("status", "language", "limit", "offset")


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


def _writable(article: Article | None) -> dict[str, object]:
    """The article's fields as a body would send them (nothing for a new article)."""
    if article is None:
        return {}
    return {key: value for key, value in article_json(article).items() if key in FIELDS}


def _save(request: HttpRequest, article: Article | None) -> JsonResponse:
    """Create, or change the fields sent (the others keep their values)."""
    data = Input({**_writable(article), **json_object(request, FIELDS)})
    fields = {
        "title": data.text("title", max_length=MAX_TITLE, required=True),
        "body": data.text("body", required=True),
        "summary": data.text("summary", max_length=MAX_SUMMARY),
        "language": data.choice("language", Language.values) or "",
        "status": data.choice("status", Article.Status.values) or Article.Status.DRAFT,
        "kind": data.choice("kind", Article.Kind.values) or Article.Kind.ARTICLE,
        "tags": data.strings("tags") or [],
        "category": data.row("category_id", Category.objects.all()),
    }
    if "language" not in data:
        data.fail("language", _("This field is required."))
    data.check()
    try:
        saved = article_save(article=article, author=request.api_user, **fields)
    except ValidationError as error:
        message = _("Some fields are not valid.")
        raise ApiError(400, "invalid", message, error.message_dict) from None
    return JsonResponse(article_json(saved), status=200 if article else 201)


def _choice(request: HttpRequest, name: str, choices: list[str]) -> str:
    """The filter ``name`` if sent (then one of ``choices``), else ""."""
    value = request.GET.get(name, "")
    if name in request.GET and value not in choices:
        message = _("Use one of: %s.") % ", ".join(choices)
        raise ApiError(400, "invalid", message, {name: [message]})
    return value


@staff_api("GET", "POST", not_found=NO_ARTICLE, query=LIST_PARAMETERS)
def article_collection(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    articles = Article.objects.order_by("-updated_at", "-pk")
    if status := _choice(request, "status", Article.Status.values):
        articles = articles.filter(status=status)
    if language := _choice(request, "language", Language.values):
        articles = articles.filter(language=language)
    limit = parse_integer(
        request.GET.get("limit"), name="limit", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT
    )
    offset = parse_integer(
        request.GET.get("offset"), name="offset", minimum=0, maximum=BIGINT_MAX, default=0
    )
    page = list(articles[offset : offset + limit])
    return JsonResponse(
        {
            "count": articles.count(),
            "limit": limit,
            "offset": offset,
            "results": [article_json(article) for article in page],
        }
    )


@staff_api("GET", "PATCH", "DELETE", not_found=NO_ARTICLE)
def article_item(request: HttpRequest, article_id: int) -> HttpResponse:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise ApiError(404, "not_found", str(NO_ARTICLE))
    if request.method == "PATCH":
        return _save(request, article)
    if request.method == "DELETE":
        article.delete()  # its index entries go with it (cascade)
        return HttpResponse(status=204)
    return JsonResponse(article_json(article))
