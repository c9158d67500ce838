"""What the desk reads about searches (inside a tenant schema)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from kefu.search.models import LearnedPhrasing, SearchLog


def search_list_without_results(*, days: int = 30, limit: int = 50) -> list[dict]:
    """Searches that found nothing, most frequent first: the content the help center lacks."""
    since = timezone.now() - timedelta(days=days)
    return list(
        SearchLog.objects.filter(created_at__gte=since, result_count=0)
        .annotate(normalized=Lower("query"))
        .values("normalized")
        .annotate(times=Count("id"), last=Max("created_at"))
        .order_by("-times", "-last")[:limit]
    )


def search_list_top(*, days: int = 30, limit: int = 20) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    return list(
        SearchLog.objects.filter(created_at__gte=since)
        .annotate(normalized=Lower("query"))
        .values("normalized")
        .annotate(times=Count("id"), clicks=Count("clicked_article"))
        .order_by("-times")[:limit]
    )


def phrasing_list() -> QuerySet[LearnedPhrasing]:
    return LearnedPhrasing.objects.select_related("article").order_by("-updated_at")
