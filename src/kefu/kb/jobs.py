"""Knowledge base jobs."""

from __future__ import annotations

from kefu.jobs import tenant_actor


@tenant_actor(queue_name="imports", max_retries=3, time_limit=3_600_000)
def article_import_job(import_id: int) -> None:
    """Run an import; a retry resumes after the last row it finished."""
    from kefu.kb.models import ArticleImport
    from kefu.kb.transfer import article_import_run

    article_import = ArticleImport.objects.filter(pk=import_id).first()
    if article_import is not None:
        article_import_run(article_import=article_import)


@tenant_actor(queue_name="search", max_retries=3, time_limit=3_600_000)
def related_refresh_job() -> None:
    """Recompute related articles for this tenant (safe to run any time, any number of times)."""
    from kefu.kb.related import related_refresh

    related_refresh()
