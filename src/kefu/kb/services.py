"""Writes for the knowledge base (inside a tenant schema)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kefu.jobs import enqueue_on_commit
from kefu.kb import guided, popularity
from kefu.kb.content import render_markdown
from kefu.kb.models import (
    Article,
    ArticleRevision,
    ArticleView,
    ArticleVote,
    Category,
    GuidedOutcome,
)


def _slug_for(title: str) -> str:
    return slugify(title, allow_unicode=True)[:200] or "article"


@transaction.atomic
def article_save(
    *,
    title: str,
    body: str,
    language: str,
    status: str = Article.Status.DRAFT,
    summary: str = "",
    tags: list[str] | None = None,
    category: Category | None = None,
    author=None,
    article: Article | None = None,
    kind: str = Article.Kind.ARTICLE,
    index_now: bool = False,
    index: bool = True,
) -> Article:
    """Create or update an article: render and sanitise its body, then (re)index it after
    commit (by a job; ``index_now`` indexes in this transaction; ``index=False`` leaves it to
    the caller, for bulk loads)."""
    from kefu.search.index import articles_index
    from kefu.search.jobs import article_index_job

    article = article or Article(author=author)
    article.title = title.strip()
    article.slug = _slug_for(article.title)
    article.kind = kind
    article.body = body
    if kind == Article.Kind.GUIDED:
        try:
            flow = guided.parse_flow(body).to_json()
        except guided.FlowError as error:
            raise ValidationError({"body": str(error)}) from None
        article.flow = flow
        # The plain body (search, snippets, feeds): every question, option and answer.
        article.body_html = render_markdown("\n\n".join(guided.flow_text(flow)))
    else:
        article.flow = None
        article.body_html = render_markdown(body)
    article.summary = summary.strip()
    article.tags = [tag.strip() for tag in (tags or []) if tag.strip()]
    article.language = language
    article.status = status
    article.category = category
    if status == Article.Status.PUBLISHED and article.last_reviewed_at is None:
        article.last_reviewed_at = timezone.now()
    article.full_clean(exclude=["slug", "body_html", "flow"])
    article.save()
    revision_record(article=article, editor=author)
    if not index:
        return article  # the caller indexes in bulk
    if index_now:
        articles_index([article])
    else:
        enqueue_on_commit(article_index_job, article.pk)
    return article


def _half_life_days() -> float:
    from kefu.desk.selectors import workspace_settings_get

    return workspace_settings_get().popularity_half_life_days


@transaction.atomic
def article_record_view(*, article: Article, visitor_key: str, search_log=None) -> bool:
    """Count a view once per visitor per article per day. Returns True if it counted."""
    now = timezone.now()
    try:
        with transaction.atomic():
            ArticleView.objects.create(
                article=article, visitor_key=visitor_key, day=now.date(), search_log=search_log
            )
    except IntegrityError:
        return False
    _add_popularity(article, weight=popularity.VIEW_WEIGHT, at=now, views=1)
    if search_log is not None and search_log.clicked_article_id is None:
        type(search_log).objects.filter(pk=search_log.pk, clicked_article=None).update(
            clicked_article=article, clicked_at=now
        )
    return True


@transaction.atomic
def article_vote(*, article: Article, visitor_key: str, helpful: bool, search_log=None) -> None:
    """Record "Was this helpful?"; a second vote by the same visitor replaces the first. A
    helpful vote after a search teaches the article that search's wording."""
    from kefu.search.learning import phrasing_learn, phrasings_helped

    existing = (
        ArticleVote.objects.select_for_update()
        .filter(article=article, visitor_key=visitor_key)
        .first()
    )
    if existing is not None and existing.helpful == helpful:
        return
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if existing is not None:
        field = "helpful_count" if existing.helpful else "unhelpful_count"
        setattr(locked, field, max(getattr(locked, field) - 1, 0))
        existing.helpful = helpful
        existing.save(update_fields=["helpful"])
    else:
        ArticleVote.objects.create(article=article, visitor_key=visitor_key, helpful=helpful)
    if helpful:
        locked.helpful_count += 1
        locked.popularity = popularity.log2_add(
            locked.popularity,
            popularity.event_log2(
                weight=popularity.HELPFUL_WEIGHT, at=timezone.now(),
                half_life_days=_half_life_days(),
            ),
        )  # fmt: skip
    else:
        locked.unhelpful_count += 1
    locked.save(update_fields=["helpful_count", "unhelpful_count", "popularity"])
    article.helpful_count, article.unhelpful_count = locked.helpful_count, locked.unhelpful_count
    article.popularity = locked.popularity
    if helpful and search_log is not None:
        phrasings_helped(search_log=search_log, article=article)
        phrasing_learn(article=article, query=search_log.query, visitor_key=visitor_key)


def _add_popularity(article: Article, *, weight: float, at, views: int = 0) -> None:
    locked = Article.objects.select_for_update().only("popularity", "view_count").get(pk=article.pk)
    locked.popularity = popularity.log2_add(
        locked.popularity,
        popularity.event_log2(weight=weight, at=at, half_life_days=_half_life_days()),
    )
    locked.view_count += views
    locked.save(update_fields=["popularity", "view_count"])
    article.popularity, article.view_count = locked.popularity, locked.view_count


@transaction.atomic
def guided_outcome_record(
    *, article: Article, path: list[int], solved: bool, visitor_key: str
) -> GuidedOutcome:
    """Where a walk through a guided answer ended; solved counts as a helpful vote."""
    _step, labels = guided.walk(article.flow or {}, path)
    outcome = GuidedOutcome.objects.create(
        article=article, path=path[: len(labels)], labels=labels, solved=solved,
        visitor_key=visitor_key,
    )  # fmt: skip
    article_vote(article=article, visitor_key=visitor_key, helpful=solved)
    return outcome


@transaction.atomic
def articles_set_status(*, article_ids: list[int], status: str) -> int:
    """Bulk publish / unpublish / archive; the index follows (drafts leave search at once)."""
    from kefu.search.index import articles_index

    if status not in Article.Status.values:
        raise ValidationError({"status": "unknown status"})
    articles = list(Article.objects.filter(pk__in=article_ids))
    now = timezone.now()
    for article in articles:
        article.status = status
        if status == Article.Status.PUBLISHED and article.last_reviewed_at is None:
            article.last_reviewed_at = now
    Article.objects.bulk_update(articles, ["status", "last_reviewed_at"])
    articles_index(articles)
    return len(articles)


def article_mark_reviewed(*, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(last_reviewed_at=timezone.now())


_REVISED_FIELDS = ("title", "summary", "body", "tags", "status", "language")


def revision_record(
    *, article: Article, editor=None, restored_from: int | None = None
) -> ArticleRevision | None:
    """Keep the article's current content as its newest version, unless nothing changed."""
    latest = article.revisions.order_by("-number").first()
    if (
        latest is not None
        and restored_from is None
        and all(getattr(latest, name) == getattr(article, name) for name in _REVISED_FIELDS)
    ):
        return None
    return ArticleRevision.objects.create(
        article=article,
        number=(latest.number + 1) if latest else 1,
        author=editor,
        restored_from=restored_from,
        **{name: getattr(article, name) for name in _REVISED_FIELDS},
    )


@transaction.atomic
def article_revision_restore(*, article: Article, revision: ArticleRevision, actor) -> Article:
    """Bring back an old version's text; the restore is itself a new version."""
    if revision.article_id != article.pk:
        raise ValidationError(_("That version belongs to another article."))
    Article.objects.select_for_update().filter(pk=article.pk).first()
    article.title, article.summary, article.body = revision.title, revision.summary, revision.body
    article.tags = list(revision.tags)
    article.body_html = render_markdown(article.body)
    if article.kind == Article.Kind.GUIDED:
        article.flow = guided.parse_flow(article.body).to_json()
        article.body_html = render_markdown("\n\n".join(guided.flow_text(article.flow)))
    article.slug = _slug_for(article.title)
    article.save()
    revision_record(article=article, editor=actor, restored_from=revision.number)
    from kefu.search.jobs import article_index_job

    enqueue_on_commit(article_index_job, article.pk)
    return article
