"""The one search function: help center, ticket form, widget, email auto-replies and the API
all call ``search()``.

Ranking fuses two signals, each over the article's own text and the phrasings customers taught
it (an article scores as its best entry):

- words: Okapi BM25 in PostgreSQL, from postings read per term in weight order;
- meaning: cosine similarity of multilingual-e5-small embeddings (pgvector, HNSW), when on.

Both are scaled to 0..1 among the query's candidates and weighted, then popularity (time-decayed
views and helpful votes) lifts the result by up to a fifth. Without embeddings it is BM25 alone.
"""

from __future__ import annotations

import html
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.safestring import SafeString, mark_safe

from kefu.kb.content import html_to_text
from kefu.kb.models import Article
from kefu.search import embeddings, segment
from kefu.search.index import custom_words, index_stats
from kefu.search.models import SearchLog, SearchTerm

#: How much popularity may lift a result: at most this share of its text score.
POPULARITY_WEIGHT = 0.2
#: Each query term contributes its best-weighted entries, at most this many: a query touches a
#: bounded number of rows however large the tenant (an entry that matters ranks high on some
#: term it shares with the query).
PER_TERM_POSTINGS = 500
CANDIDATES = 200
#: Nearest entries by meaning considered per query, from each of the two HNSW indexes (also
#: their ef_search: the graph walk, and so the time, grows with it).
SEMANTIC_CANDIDATES = 20
#: The best lexical candidates whose similarity is computed exactly when the HNSW walk did not
#: reach them (lower ones rarely reach the top ten on words alone).
EXACT_CANDIDATES = 50
#: Share of the fused score from words (BM25); the rest is meaning (embeddings).
LEXICAL_WEIGHT = float(os.environ.get("KEFU_SEARCH_LEXICAL_WEIGHT", "0.2"))
#: An article found by meaning alone must be at least this similar (e5 cosine): unrelated text
#: scores about 0.80-0.85 with this model, answers about 0.86-0.92.
MIN_SIMILARITY = float(os.environ.get("KEFU_SEARCH_MIN_SIMILARITY", "0.86"))
#: Question-to-question similarity runs a little higher than question-to-passage for the same
#: match; this much is taken off it so both compare fairly (tuned on the learn halves).
QUESTION_DISCOUNT = float(os.environ.get("KEFU_SEARCH_QUESTION_DISCOUNT", "0.03"))
MAX_QUERY_LENGTH = 300

_BM25_SQL = """
WITH q(term, idf) AS (SELECT * FROM unnest(%(terms)s::text[], %(idfs)s::float8[])),
     scored AS (
       SELECT p.entry_id, p.article_id, SUM(q.idf * p.weight) AS score
         FROM q CROSS JOIN LATERAL (
                SELECT entry_id, article_id, weight FROM search_searchposting
                 WHERE term = q.term ORDER BY weight DESC LIMIT %(per_term)s) p
        GROUP BY p.entry_id, p.article_id)
SELECT s.article_id, MAX(s.score) AS score
  FROM scored s JOIN kb_article a ON a.id = s.article_id AND a.status = 'published'
 {language_filter}
 GROUP BY s.article_id
 ORDER BY score DESC
 LIMIT %(limit)s
"""


@dataclass
class SearchHit:
    article: Article
    score: float
    snippet: SafeString


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    log: SearchLog | None = None

    @property
    def articles(self) -> list[Article]:
        return [hit.article for hit in self.hits]


def _language_clause(language: str | None, params: dict[str, object], keyword: str) -> str:
    """SQL restricting results to one language (``keyword`` is WHERE or AND), or nothing."""
    if not language:
        return ""
    params["language"] = language
    return f"{keyword} a.language = %(language)s"


def _idf(entry_count: int, total: int) -> float:
    return math.log(1 + (total - entry_count + 0.5) / (entry_count + 0.5))


def _text_scores(query_terms: list[str], *, language: str | None) -> list[tuple[int, float]]:
    total, _average_length = index_stats()
    if not total or not query_terms:
        return []
    unique_terms = list(dict.fromkeys(query_terms))
    counts = dict(
        SearchTerm.objects.filter(term__in=unique_terms).values_list("term", "entry_count")
    )
    present = [term for term in unique_terms if counts.get(term)]
    if not present:
        return []
    params = {
        "terms": present,
        "idfs": [_idf(counts[term], total) for term in present],
        "per_term": PER_TERM_POSTINGS,
        "limit": CANDIDATES,
    }
    language_filter = _language_clause(language, params, "WHERE")
    with connection.cursor() as cursor:
        cursor.execute(_BM25_SQL.format(language_filter=language_filter), params)
        return [(article_id, float(score)) for article_id, score in cursor.fetchall()]


_embedder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kefu-embed")

#: Nearest entries by meaning, by both vectors: the question (title or learned phrasing,
#: compared symmetrically) and the article's text (a passage). An article scores as its best.
_NEAREST_SQL = """
SELECT e.article_id, MAX(e.similarity) AS similarity
  FROM ((SELECT article_id,
                1 - (question_embedding <=> %(vector)s::vector) - %(discount)s AS similarity
           FROM search_searchentry WHERE question_embedding IS NOT NULL
          ORDER BY question_embedding <=> %(vector)s::vector LIMIT %(limit)s)
        UNION ALL
        (SELECT article_id, 1 - (embedding <=> %(vector)s::vector)
           FROM search_searchentry WHERE embedding IS NOT NULL
          ORDER BY embedding <=> %(vector)s::vector LIMIT %(limit)s)) e
  JOIN kb_article a ON a.id = e.article_id AND a.status = 'published' {language_filter}
 GROUP BY e.article_id
"""
_SIMILARITY_SQL = """
SELECT article_id, MAX(GREATEST(1 - (question_embedding <=> %(vector)s::vector) - %(discount)s,
                                1 - (embedding <=> %(vector)s::vector)))
  FROM search_searchentry
 WHERE article_id = ANY(%(ids)s)
 GROUP BY article_id
"""


def article_similarities(vector: list[float], article_ids: list[int]) -> dict[int, float]:
    """Exact cosine similarity of a query vector to each article's closest entry."""
    if not article_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            _SIMILARITY_SQL,
            {"vector": str(vector), "ids": article_ids, "discount": QUESTION_DISCOUNT},
        )
        return {pk: float(value) for pk, value in cursor.fetchall() if value is not None}


def _semantic_scores(
    vector: list[float] | None, lexical_ids: list[int], *, language: str | None
) -> dict[int, float]:
    """Cosine similarity of the query to each candidate's best entry: the nearest entries by
    the HNSW indexes, plus exact similarities for the lexical candidates."""
    if vector is None:
        return {}
    params: dict[str, object] = {
        "vector": str(vector),
        "limit": SEMANTIC_CANDIDATES,
        "discount": QUESTION_DISCOUNT,
    }
    language_filter = _language_clause(language, params, "AND")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL hnsw.ef_search = {int(SEMANTIC_CANDIDATES)}")
        cursor.execute(_NEAREST_SQL.format(language_filter=language_filter), params)
        similarities = {pk: float(value) for pk, value in cursor.fetchall()}
    missing = [pk for pk in lexical_ids[:EXACT_CANDIDATES] if pk not in similarities]
    similarities.update(article_similarities(vector, missing))
    return similarities


def _fuse(lexical: list[tuple[int, float]], semantic: dict[int, float]) -> dict[int, float]:
    """Both signals scaled to 0..1 within this query's candidates, then weighted."""
    lexical_scores = dict(lexical)
    if not semantic:
        return lexical_scores
    top_lexical = max(lexical_scores.values(), default=0.0) or 1.0
    low, high = min(semantic.values()), max(semantic.values())
    spread = (high - low) or 1.0
    fused = {}
    for pk in set(lexical_scores) | set(semantic):
        if pk not in lexical_scores and semantic[pk] < MIN_SIMILARITY:
            continue
        lexical_part = lexical_scores.get(pk, 0.0) / top_lexical
        semantic_part = (semantic[pk] - low) / spread if pk in semantic else 0.0
        fused[pk] = LEXICAL_WEIGHT * lexical_part + (1 - LEXICAL_WEIGHT) * semantic_part
    return fused


def _blend(scores: dict[int, float]) -> list[tuple[int, float]]:
    popularity = {
        pk: max(value, 0.0)
        for pk, value in Article.objects.filter(pk__in=list(scores)).values_list("pk", "popularity")
    }
    top_popularity = max(popularity.values(), default=0.0)
    blended = []
    for article_id, score in scores.items():
        lift = popularity.get(article_id, 0.0) / top_popularity if top_popularity else 0.0
        blended.append((article_id, score * (1 + POPULARITY_WEIGHT * lift)))
    return sorted(blended, key=lambda pair: (-pair[1], pair[0]))


def snippet(article: Article, words: list[str], *, width: int = 160) -> SafeString:
    """A piece of the article around the first query word, with the words marked."""
    text = html_to_text(article.body_html) or article.summary or article.title
    lowered = text.lower()
    positions = [lowered.find(word) for word in words if word and lowered.find(word) >= 0]
    start = max(min(positions) - width // 4, 0) if positions else 0
    piece = text[start : start + width]
    escaped = html.escape(piece)
    if words:
        pattern = re.compile("|".join(re.escape(html.escape(w)) for w in words), re.IGNORECASE)
        escaped = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + escaped + suffix)  # noqa: S308 - built from escaped text only


def search(
    query: str,
    *,
    limit: int = 10,
    language: str | None = None,
    source: str = SearchLog.Source.HELP_CENTER,
    visitor_key: str = "",
    log: bool = True,
) -> SearchResults:
    """Published articles of the current tenant that answer ``query``, best first.

    Runs inside the tenant's schema. With ``log`` the search is recorded (query, result count)
    so the desk can show searches that found nothing and learn from clicks and votes.
    """
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    results = SearchResults(query=query)
    if not query:
        return results
    query_terms = segment.terms(query, custom_words=custom_words())
    # The model runs in C without the GIL: embed the query while PostgreSQL ranks by words.
    pending_vector = _embedder.submit(embeddings.embed_query, query)
    lexical = _text_scores(query_terms, language=language)
    semantic = _semantic_scores(
        pending_vector.result(), [pk for pk, _ in lexical], language=language
    )
    ranked = _blend(_fuse(lexical, semantic))[:limit]
    articles = Article.objects.select_related("category").in_bulk([pk for pk, _ in ranked])
    words = segment.highlight_words(query)
    results.hits = [
        SearchHit(article=articles[pk], score=score, snippet=snippet(articles[pk], words))
        for pk, score in ranked
    ]
    if log:
        results.log = SearchLog.objects.create(
            query=query,
            language=language or "",
            source=source,
            result_count=len(results.hits),
            result_ids=[hit.article.pk for hit in results.hits],
            visitor_key=visitor_key,
        )
    return results
