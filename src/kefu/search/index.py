"""Keeping the search index in step with articles (inside a tenant schema).

Runs in jobs (``kefu.search.jobs``) after an article changes, and directly in bulk loads. An
unpublished article has no entries, so drafts can never be found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from kefu.kb.content import html_to_text
from kefu.kb.models import Article
from kefu.search import embeddings, segment
from kefu.search.models import CustomWord, LearnedPhrasing, SearchEntry, SearchPosting

#: Question-to-question similarity runs a little higher than question-to-passage for the same
#: match; this much is taken off it so both compare fairly (tuned on the learn halves).


def question_discount() -> float:
    """KEFU_SEARCH_QUESTION_DISCOUNT, read at call time."""
    return settings.KEFU_SEARCH_QUESTION_DISCOUNT


K1 = 1.2
B = 0.75
#: Title terms count this many times: a question's wording matters more than its answer's.
TITLE_WEIGHT = 2
_STATS_KEY = "search:stats"
_WORDS_KEY = "search:custom-words"


def custom_words() -> tuple[str, ...]:
    """The tenant's dictionary, longest first (cached per tenant; the cache key carries it)."""
    words = cache.get(_WORDS_KEY)
    if words is None:
        words = tuple(
            sorted(CustomWord.objects.values_list("word", flat=True), key=len, reverse=True)
        )
        cache.set(_WORDS_KEY, words, 300)
    return words


def custom_words_changed() -> None:
    cache.delete(_WORDS_KEY)


def article_terms(article: Article, words: tuple[str, ...]) -> Counter[str]:
    title = segment.terms(article.title, custom_words=words)
    rest = " ".join(
        [article.summary, " ".join(article.tags or []), html_to_text(article.body_html)]
    )
    counts = Counter(segment.terms(rest, custom_words=words))
    for term in title:
        counts[term] += TITLE_WEIGHT
    return counts


def _adjust_term_counts(delta: Counter[str]) -> None:
    added = {term: count for term, count in delta.items() if count > 0}
    removed = {term: count for term, count in delta.items() if count < 0}
    with connection.cursor() as cursor:
        if added:
            cursor.execute(
                """
                INSERT INTO search_searchterm (term, entry_count)
                SELECT * FROM unnest(%s::text[], %s::int[])
                ON CONFLICT (term) DO UPDATE
                  SET entry_count = search_searchterm.entry_count + EXCLUDED.entry_count
                """,
                [list(added), list(added.values())],
            )
        if removed:
            cursor.execute(
                """
                UPDATE search_searchterm AS t
                   SET entry_count = GREATEST(t.entry_count + d.change, 0)
                  FROM unnest(%s::text[], %s::int[]) AS d(term, change) WHERE t.term = d.term
                """,
                [list(removed), list(removed.values())],
            )


def _write_entries(entries: list[SearchEntry]) -> None:
    """Store entries (each carrying its unsaved ``counts``, ``question`` and ``passage``), their
    postings, their embeddings, and the document frequencies they add."""
    if not entries:
        return
    _embed(entries)
    total, average = index_stats()
    batch_length = sum(entry.length for entry in entries)
    average_length = (total * average + batch_length) / max(total + len(entries), 1)
    SearchEntry.objects.bulk_create(entries, batch_size=1000)
    _write_postings(entries, max(average_length, 1.0))
    delta: Counter[str] = Counter()
    for entry in entries:
        delta.update(dict.fromkeys(entry.counts, 1))
    _adjust_term_counts(delta)
    cache.delete(_STATS_KEY)


def _embed(entries: list[SearchEntry]) -> None:
    """Every entry's question embedded as a query; article entries' text also as a passage."""
    questions = embeddings.embed_questions([entry.question for entry in entries])
    if questions is None:
        return
    for entry, vector in zip(entries, questions, strict=True):
        entry.question_embedding = vector
    with_passage = [entry for entry in entries if entry.passage]
    passages = embeddings.embed_passages([entry.passage for entry in with_passage]) or []
    for entry, vector in zip(with_passage, passages, strict=True):
        entry.embedding = vector


def bm25_weight(term_count: int, length: int, average_length: float) -> float:
    """The BM25 term weight without IDF (which changes as the index grows; applied per query)."""
    return (term_count * (K1 + 1)) / (term_count + K1 * (1 - B + B * length / average_length))


def _write_postings(entries: list[SearchEntry], average_length: float) -> None:
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY search_searchposting (entry_id, article_id, term, weight, learned) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for entry in entries:
                learned = entry.kind == SearchEntry.Kind.PHRASING
                for term, count in entry.counts.items():
                    copy.write_row(
                        (entry.pk, entry.article_id, term,
                         bm25_weight(count, entry.length, average_length), learned)
                    )  # fmt: skip


def _remove_entries(queryset) -> None:
    """Delete entries (their postings go with them) and the document frequencies they held."""
    delta: Counter[str] = Counter()
    for term in SearchPosting.objects.filter(entry__in=queryset).values_list("term", flat=True):
        delta[term] -= 1
    queryset.delete()
    _adjust_term_counts(delta)
    cache.delete(_STATS_KEY)


#: A phrasing's radius: its similarity to the closest entry of another article, compared the
#: way queries are (question to question less the discount, or question to passage).
_RADIUS_SQL = """
UPDATE search_searchentry AS target SET radius = r.similarity, radius_article_id = r.article_id
  FROM search_searchentry p CROSS JOIN LATERAL (
       SELECT o.article_id,
              GREATEST(1 - (o.question_embedding <=> p.question_embedding) - %(discount)s,
                       1 - (o.embedding <=> p.question_embedding)) AS similarity
         FROM search_searchentry o
        WHERE o.kind = 'article' AND o.article_id <> p.article_id
          AND o.question_embedding IS NOT NULL
        ORDER BY 2 DESC NULLS LAST LIMIT 1) r
 WHERE target.id = p.id AND p.id = ANY(%(ids)s) AND p.question_embedding IS NOT NULL
"""
#: Phrasings that a new article text comes closer to than their radius: the radius grows.
_RADIUS_GROW_SQL = """
UPDATE search_searchentry AS target SET radius = r.similarity, radius_article_id = r.article_id
  FROM (SELECT DISTINCT ON (p.id) p.id, o.article_id,
               GREATEST(1 - (o.question_embedding <=> p.question_embedding) - %(discount)s,
                        1 - (o.embedding <=> p.question_embedding)) AS similarity
          FROM search_searchentry p JOIN search_searchentry o
            ON o.id = ANY(%(new)s) AND o.article_id <> p.article_id
         WHERE p.kind = 'phrasing' AND p.question_embedding IS NOT NULL
           AND NOT p.id = ANY(%(exact)s)
         ORDER BY p.id, 3 DESC NULLS LAST) r
 WHERE target.id = r.id AND (target.radius IS NULL OR r.similarity > target.radius)
"""


def _radii_refresh(new_entries: list[SearchEntry], changed_article_ids: list[int]) -> None:
    """Keep every phrasing's radius true after entries were written: measured afresh for new
    phrasings and for those whose closest other article just changed; raised for the rest where
    a new article text is closer."""
    if not embeddings.enabled():
        return
    exact = [entry.pk for entry in new_entries if entry.kind == SearchEntry.Kind.PHRASING]
    if changed_article_ids:
        exact += SearchEntry.objects.filter(
            kind=SearchEntry.Kind.PHRASING, radius_article_id__in=changed_article_ids
        ).values_list("pk", flat=True)
    new_texts = [entry.pk for entry in new_entries if entry.kind == SearchEntry.Kind.ARTICLE]
    params = {"ids": exact, "exact": exact, "new": new_texts, "discount": question_discount()}
    with connection.cursor() as cursor:
        if exact:
            cursor.execute(_RADIUS_SQL, params)
        if new_texts and SearchEntry.objects.filter(kind=SearchEntry.Kind.PHRASING).exists():
            cursor.execute(_RADIUS_GROW_SQL, params)


@transaction.atomic
def articles_index(articles: Iterable[Article]) -> int:
    """(Re)index articles: published ones get their text and learned phrasings indexed, others
    are removed from the index. Returns how many entries were written."""
    articles = list(articles)
    _remove_entries(SearchEntry.objects.filter(article__in=articles))
    words = custom_words()
    entries: list[SearchEntry] = []
    published = [a for a in articles if a.status == Article.Status.PUBLISHED]
    phrasings = LearnedPhrasing.objects.filter(
        article__in=published, withdrawn_at__isnull=True
    ).select_related("article")
    for article in published:
        entry = _entry(article, SearchEntry.Kind.ARTICLE, article_terms(article, words))
        entry.passage = article_passage(article)
        entries.append(entry)
    for phrasing in phrasings:
        counts = Counter(segment.terms(phrasing.text, custom_words=words))
        entries.append(
            _entry(phrasing.article, SearchEntry.Kind.PHRASING, counts, phrasing=phrasing)
        )
    _write_entries(entries)
    _radii_refresh(entries, [article.pk for article in articles])
    return len(entries)


def articles_index_all(*, batch: int = 500) -> tuple[int, int]:
    """Rebuild the whole index of the current tenant; returns (articles, entries)."""
    ids = list(Article.objects.values_list("pk", flat=True).order_by("pk"))
    entries = 0
    for start in range(0, len(ids), batch):
        entries += articles_index(Article.objects.filter(pk__in=ids[start : start + batch]))
    return len(ids), entries


def article_passage(article: Article) -> str:
    """What the embedding model reads of an article: the question first, then the answer."""
    text = " ".join(part for part in (article.summary, html_to_text(article.body_html)) if part)
    return f"{article.title}. {text}"[: embeddings.PASSAGE_CHARACTERS]


@transaction.atomic
def phrasing_index(phrasing: LearnedPhrasing) -> None:
    phrasing_unindex(phrasing)
    if phrasing.article.status != Article.Status.PUBLISHED or phrasing.withdrawn_at is not None:
        return
    counts = Counter(segment.terms(phrasing.text, custom_words=custom_words()))
    if counts:
        entry = _entry(phrasing.article, SearchEntry.Kind.PHRASING, counts, phrasing=phrasing)
        _write_entries([entry])
        _radii_refresh([entry], [])


def phrasing_unindex(phrasing: LearnedPhrasing) -> None:
    _remove_entries(SearchEntry.objects.filter(phrasing=phrasing))


def _entry(
    article: Article, kind: str, counts: Counter[str], phrasing: LearnedPhrasing | None = None
) -> SearchEntry:
    entry = SearchEntry(article=article, kind=kind, phrasing=phrasing, length=sum(counts.values()))
    entry.counts = counts  # written as postings, not stored on the entry
    # What the model reads: a phrasing is a question only; an article is also a passage.
    entry.question, entry.passage = (phrasing.text if phrasing else article.title), ""
    return entry


def index_stats() -> tuple[int, float]:
    """(entries, average entry length), cached per tenant until the index changes."""
    stats = cache.get(_STATS_KEY)
    if stats is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), coalesce(avg(length), 0) FROM search_searchentry")
            count, average = cursor.fetchone()
        stats = (int(count), float(average))
        cache.set(_STATS_KEY, stats, 600)
    return stats


@transaction.atomic
def custom_words_replace(words: list[str]) -> bool:
    """Set the tenant's dictionary; True if it changed (the index then needs rebuilding)."""
    wanted = {word.strip() for word in words if word.strip()}
    current = set(CustomWord.objects.values_list("word", flat=True))
    if wanted == current:
        return False
    CustomWord.objects.exclude(word__in=wanted).delete()
    CustomWord.objects.bulk_create([CustomWord(word=word) for word in wanted - current])
    custom_words_changed()
    return True
