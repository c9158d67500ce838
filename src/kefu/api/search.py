"""``/api/v1/search``: the help center's search for anyone, published articles only.

No token: it answers what the help center shows to every visitor, rate limited per client
address together with the help center's own search (kefu.core.ratelimit.search_limit_hit).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.api.errors import ApiError, api_view
from kefu.core import limits
from kefu.core.parsing import parse_integer
from kefu.core.ratelimit import search_limit_hit
from kefu.search.engine import search
from kefu.search.models import SearchLog

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


@api_view("GET", query=("q", "limit"))
def search_view(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/search?q=...&limit=... — public, rate limited, published articles only."""
    if not search_limit_hit(request):
        raise ApiError(429, "rate_limited", _("Too many searches."))
    if "q" not in request.GET:
        raise ApiError(400, "invalid", _("q is required."), {"q": [_("This field is required.")]})
    query = request.GET["q"].strip()
    if problem := limits.length_problem(query, limit=limits.SEARCH_QUERY):
        raise ApiError(400, "invalid", problem, {"q": [problem]})
    limit = parse_integer(
        request.GET.get("limit"), name="limit", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT
    )
    hits = (
        search(
            query,
            limit=limit,
            source=SearchLog.Source.API,
            reader_language=translation.get_language(),
        ).hits
        if query
        else []
    )
    base = request.build_absolute_uri("/")[:-1]
    response = JsonResponse(
        {
            "query": query,
            "results": [
                {
                    "id": hit.article.pk,
                    "title": hit.article.title,
                    "snippet": str(hit.snippet),
                    "url": base + hit.article.get_absolute_url(),
                    "score": round(hit.score, 4),
                }
                for hit in hits
            ],
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
