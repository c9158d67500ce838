"""Reads of knowledge base content (inside a tenant schema). Customers only ever see
published articles: every public read goes through ``article_list_published``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kefu.kb.models import Article, Category


def article_list_published(*, language: str | None = None) -> QuerySet[Article]:
    articles = Article.objects.filter(status=Article.Status.PUBLISHED).select_related("category")
    if language:
        articles = articles.filter(language=language)
    return articles


def article_get_published(*, article_id: int) -> Article | None:
    return article_list_published().filter(id=article_id).first()


def article_list_hot(*, language: str | None = None, limit: int = 8) -> list[Article]:
    """The most useful answers now (time-decayed views and helpful votes), in the reader's
    language when there are any."""
    ordered = ("-popularity", "-updated_at")
    hot = list(article_list_published(language=language).order_by(*ordered)[:limit])
    return hot or list(article_list_published().order_by(*ordered)[:limit])


def category_list_with_counts() -> QuerySet[Category]:
    return Category.objects.annotate(
        published_count=Count("articles", filter=Q(articles__status=Article.Status.PUBLISHED))
    ).filter(published_count__gt=0)


def category_articles(*, category: Category) -> QuerySet[Article]:
    return article_list_published().filter(category=category).order_by("-popularity", "title")


def article_list_for_desk(
    *, status: str = "", language: str = "", stale_after_days: int | None = None, query: str = ""
) -> QuerySet[Article]:
    """Every article for staff, newest change first, filterable; ``is_stale`` marks published
    articles not reviewed within ``stale_after_days``."""
    from datetime import timedelta

    from django.db.models import BooleanField, Case, Value, When
    from django.utils import timezone

    articles = Article.objects.select_related("category", "author").order_by("-updated_at")
    if status:
        articles = articles.filter(status=status)
    if language:
        articles = articles.filter(language=language)
    if query:
        articles = articles.filter(title__icontains=query)
    if stale_after_days:
        cutoff = timezone.now() - timedelta(days=stale_after_days)
        stale = Q(status=Article.Status.PUBLISHED) & (
            Q(last_reviewed_at__lt=cutoff) | Q(last_reviewed_at=None)
        )
        articles = articles.annotate(
            is_stale=Case(When(stale, then=Value(True)), default=Value(False),
                          output_field=BooleanField())
        )  # fmt: skip
    return articles
