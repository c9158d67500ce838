"""Reads of knowledge base content (inside a tenant schema). Customers only ever see
published articles: every public read goes through ``article_list_published``."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.kb.categories import CategoryNode, category_nodes_flatten, category_tree
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


def _subtree_total(node: CategoryNode) -> int:
    total = node.published + sum(_subtree_total(child) for child in node.children)
    node.category.published_count = total
    return total


def category_list_with_counts(*, parent: Category | None = None) -> list[Category]:
    """Top-level categories (or ``parent``'s children) that hold published articles anywhere
    below them, each with ``published_count`` over its whole subtree, in position order."""
    nodes = category_tree()
    if parent is not None:
        flat = category_nodes_flatten(nodes)
        nodes = next((n.children for n in flat if n.category.pk == parent.pk), [])
    return [node.category for node in nodes if _subtree_total(node) > 0]


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
