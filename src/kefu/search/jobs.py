"""Index upkeep, run by the worker after articles change."""

from __future__ import annotations

from kefu.jobs import tenant_actor


@tenant_actor(queue_name="search", max_retries=5)
def article_index_job(article_id: int) -> None:
    """(Re)index one article as it is now; safe to run twice or after it was deleted."""
    from kefu.kb.models import Article
    from kefu.search.index import articles_index
    from kefu.search.models import SearchEntry

    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        SearchEntry.objects.filter(article_id=article_id).delete()
        return
    articles_index([article])


@tenant_actor(queue_name="search", max_retries=3, time_limit=3_600_000)
def search_reindex_job() -> None:
    """Rebuild this tenant's whole index (after its custom dictionary changed)."""
    from kefu.search.index import articles_index_all

    articles_index_all()
