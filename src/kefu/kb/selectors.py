"""Reads of knowledge base content (inside a tenant schema). Customers only ever see
published articles: every public read goes through ``article_list_published``."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from kefu.kb.categories import CategoryNode, category_nodes_flatten, category_tree
from kefu.kb.models import Article, Category, Language


def article_list_published(*, language: str | None = None) -> QuerySet[Article]:
    articles = Article.objects.filter(status=Article.Status.PUBLISHED).select_related("category")
    if language:
        articles = articles.filter(language=language)
    return articles


def article_get_published(*, article_id: int) -> Article | None:
    return article_list_published().filter(id=article_id).first()


def _reader_language(language: str | None) -> str | None:
    return language if language in Language.values else None


def article_ids_replaced_by_translation(*, language: str | None) -> QuerySet[Article]:
    """Ids of published articles in another language than ``language`` that have a published
    translation in ``language`` (the rule of ``article_list_for_reader``)."""
    language = _reader_language(language)
    if language is None:
        return Article.objects.none().values("pk")
    # An article and its translations share a group: the original's id (``translation_of``
    # points from each translation to the original).
    group = Coalesce("translation_of_id", "id")
    translated_groups = (
        Article.objects.filter(status=Article.Status.PUBLISHED, language=language)
        .annotate(group=group)
        .values("group")
    )
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .exclude(language=language)
        .annotate(group=group)
        .filter(group__in=translated_groups)
        .values("pk")
    )


def article_list_for_reader(*, language: str | None) -> QuerySet[Article]:
    """The help center's one rule for languages: what a reader of ``language`` sees.

    Every published article in the reader's language, and every published article in the other
    language that has no published translation in the reader's language (so an article written
    only in English still shows in the Chinese help center, once, and the Chinese version
    replaces it as soon as one is published). Articles and their translations are linked by
    ``Article.translation_of``. ``language`` is the interface language (``get_language()``);
    one Kefu does not know (or None) shows every published article.

    Everything customers see counts by this rule: the home page (popular and latest), category
    pages and their article counts, search results (help center, widget, API through
    ``kefu.search.engine.search(reader_language=...)``) and the widget. The sitemap is the one
    exception: it lists every published article, because each translation is its own page for
    crawlers of either language.
    """
    articles = article_list_published()
    if _reader_language(language) is None:
        return articles
    return articles.exclude(pk__in=article_ids_replaced_by_translation(language=language))


def article_list_hot(*, language: str | None = None, limit: int = 8) -> list[Article]:
    """The most useful answers now (time-decayed views and helpful votes), by the reader's
    language rule (``article_list_for_reader``)."""
    ordered = ("-popularity", "-updated_at")
    return list(article_list_for_reader(language=language).order_by(*ordered)[:limit])


def _subtree_total(node: CategoryNode) -> int:
    total = node.published + sum(_subtree_total(child) for child in node.children)
    node.category.published_count = total
    return total


def category_list_with_counts(
    *, parent: Category | None = None, language: str | None = None
) -> list[Category]:
    """Top-level categories (or ``parent``'s children) that hold articles a reader of
    ``language`` sees (``article_list_for_reader``) anywhere below them, each with
    ``published_count`` over its whole subtree, in position order."""
    nodes = category_tree(articles=article_list_for_reader(language=language))
    if parent is not None:
        flat = category_nodes_flatten(nodes)
        nodes = next((n.children for n in flat if n.category.pk == parent.pk), [])
    return [node.category for node in nodes if _subtree_total(node) > 0]


def category_articles(*, category: Category, language: str | None = None) -> QuerySet[Article]:
    """The category's own articles a reader of ``language`` sees (``article_list_for_reader``)."""
    return (
        article_list_for_reader(language=language)
        .filter(category=category)
        .order_by("-popularity", "title")
    )


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
