"""What the desk reads about searches (inside a tenant schema)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from kefu.core.privacy import mask_personal_data
from kefu.search.models import LearnedPhrasing, SearchLog


def _masked(rows: list[dict]) -> list[dict]:
    # Stored queries are masked already; rows logged before masking existed were masked by a
    # migration. Masking again costs nothing and keeps the page safe whatever the row.
    for row in rows:
        row["normalized"] = mask_personal_data(row["normalized"])
    return rows


def _searches(*, days: int, questions: bool) -> QuerySet[SearchLog]:
    since = timezone.now() - timedelta(days=days)
    logs = SearchLog.objects.filter(created_at__gte=since)
    if questions:
        return logs.filter(source__in=SearchLog.QUESTION_SOURCES)
    return logs.exclude(source__in=SearchLog.QUESTION_SOURCES)


def search_list_without_results(*, days: int = 30, limit: int = 50) -> list[dict]:
    """Searches people typed that found nothing, most frequent first: the content the help
    center lacks. Ticket-form and email questions are not searches
    (``question_list_unanswered``)."""
    return _masked(
        list(
            _searches(days=days, questions=False)
            .filter(result_count=0)
            .annotate(normalized=Lower("query"))
            .values("normalized")
            .annotate(times=Count("id"), last=Max("created_at"))
            .order_by("-times", "-last")[:limit]
        )
    )


def search_list_top(*, days: int = 30, limit: int = 20) -> list[dict]:
    """The searches people typed most often (ticket-form and email questions excluded)."""
    return _masked(
        list(
            _searches(days=days, questions=False)
            .annotate(normalized=Lower("query"))
            .values("normalized")
            .annotate(times=Count("id"), clicks=Count("clicked_article"))
            .order_by("-times")[:limit]
        )
    )


def question_list_unanswered(*, days: int = 30, limit: int = 50) -> list[dict]:
    """Ticket-form and email questions that no article answered, by their (masked) subject."""
    return _masked(
        list(
            _searches(days=days, questions=True)
            .filter(result_count=0)
            .annotate(normalized=Lower("query"))
            .values("normalized", "source")
            .annotate(times=Count("id"), last=Max("created_at"))
            .order_by("-times", "-last")[:limit]
        )
    )


def phrasing_list() -> QuerySet[LearnedPhrasing]:
    return LearnedPhrasing.objects.select_related("article").order_by("-updated_at")


def articles_read_before_tickets(*, days: int = 30, limit: int = 20) -> list[dict]:
    """Articles customers read and then asked anyway: each with how many tickets followed a
    reading of it. Content gaps: the article exists but did not answer."""
    from django.db import connection

    from kefu.kb.models import Article

    since = timezone.now() - timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (item->>'article_id')::bigint AS article_id, count(DISTINCT t.id) AS tickets
              FROM tickets_ticket t
             CROSS JOIN LATERAL jsonb_array_elements(t.self_service_trail) AS item
             WHERE t.created_at >= %s
               AND jsonb_typeof(t.self_service_trail) = 'array'
               AND item->>'kind' = 'article'
               AND (item->>'article_id') ~ '^[0-9]+$'
             GROUP BY 1
             ORDER BY 2 DESC, 1
             LIMIT %s
            """,
            [since, limit],
        )
        rows = cursor.fetchall()
    articles = Article.objects.in_bulk([article_id for article_id, _count in rows])
    return [
        {"article": articles[article_id], "tickets": count}
        for article_id, count in rows
        if article_id in articles
    ]
