"""Reads of knowledge base content (inside a tenant schema)."""

from __future__ import annotations

from django.db.models import QuerySet

from kefu.kb.models import Article


def article_list_published(*, language: str | None = None) -> QuerySet[Article]:
    articles = Article.objects.filter(status=Article.Status.PUBLISHED).select_related("category")
    if language:
        articles = articles.filter(language=language)
    return articles


def article_get_published(*, article_id: int) -> Article | None:
    return article_list_published().filter(id=article_id).first()
