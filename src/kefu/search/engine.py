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

from django.conf import settings
from django.db import connection
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
#: The best articles by words that are checked (published, language) for those candidates:
#: checking every article that shares a common word would cost more than ranking them.
CANDIDATE_POOL = 4 * CANDIDATES
#: Nearest entries by meaning considered per query, from each of the two HNSW indexes (also
#: their ef_search, set on the connection: the graph walk, and so the time, grows with it).
SEMANTIC_CANDIDATES = settings.KEFU_SEARCH_SEMANTIC_CANDIDATES
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
        GROUP BY p.entry_id, p.article_id),
     best AS (
       SELECT article_id, MAX(score) AS score FROM scored
        GROUP BY article_id ORDER BY score DESC, article_id LIMIT %(pool)s)
SELECT a.id, b.score, a.popularity
  FROM best b JOIN kb_article a ON a.id = b.article_id AND a.status = 'published'
 {language_filter}
 ORDER BY b.score DESC, a.id
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


def _text_scores(
    query_terms: list[str], popularity: dict[int, float], *, language: str | None
) -> list[tuple[int, float]]:
    """BM25 of the best candidates by words. Records the candidates' popularity."""
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
        "pool": CANDIDATE_POOL,
    }
    language_filter = _language_clause(language, params, "WHERE")
    with connection.cursor() as cursor:
        cursor.execute(_BM25_SQL.format(language_filter=language_filter), params)
        rows = cursor.fetchall()
    popularity.update((article_id, value) for article_id, _score, value in rows)
    return [(article_id, float(score)) for article_id, score, _value in rows]


_embedder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kefu-embed")

#: The query's similarity to each candidate's closest entry, with the article's popularity, in
#: one statement. Candidates are the nearest entries by both vectors — the question (title or
#: learned phrasing, compared symmetrically) and the article's text (a passage), read from the
#: HNSW indexes — and the best lexical candidates, which the graph walk may not have reached.
#: The walk's breadth (``hnsw.ef_search``) is set when the connection starts (settings).
_SEMANTIC_SQL = """
WITH candidates AS (
       (SELECT article_id FROM search_searchentry WHERE question_embedding IS NOT NULL
         ORDER BY question_embedding <=> %(vector)s::vector LIMIT %(limit)s)
       UNION
       (SELECT article_id FROM search_searchentry WHERE embedding IS NOT NULL
         ORDER BY embedding <=> %(vector)s::vector LIMIT %(limit)s)
       UNION
       SELECT unnest(%(ids)s::bigint[]))
SELECT a.id, a.popularity,
       MAX(GREATEST(1 - (e.question_embedding <=> %(vector)s::vector) - %(discount)s,
                    1 - (e.embedding <=> %(vector)s::vector)))
  FROM candidates c
  JOIN kb_article a ON a.id = c.article_id AND a.status = 'published' {language_filter}
  JOIN search_searchentry e ON e.article_id = a.id
 GROUP BY a.id
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
    vector: list[float] | None,
    lexical_ids: list[int],
    popularity: dict[int, float],
    *,
    language: str | None,
) -> dict[int, float]:
    """Cosine similarity of the query to each candidate's best entry: the nearest entries by
    the HNSW indexes and the best lexical candidates. Records the candidates' popularity."""
    if vector is None:
        return {}
    params: dict[str, object] = {
        "vector": str(vector),
        "limit": SEMANTIC_CANDIDATES,
        "discount": QUESTION_DISCOUNT,
        "ids": lexical_ids[:EXACT_CANDIDATES],
    }
    language_filter = _language_clause(language, params, "AND")
    similarities = {}
    with connection.cursor() as cursor:
        cursor.execute(_SEMANTIC_SQL.format(language_filter=language_filter), params)
        for pk, article_popularity, similarity in cursor.fetchall():
            popularity[pk] = article_popularity
            if similarity is not None:
                similarities[pk] = float(similarity)
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


def _blend(scores: dict[int, float], popularity: dict[int, float]) -> list[tuple[int, float]]:
    lifts = {pk: max(popularity.get(pk, 0.0), 0.0) for pk in scores}
    top_popularity = max(lifts.values(), default=0.0)
    blended = []
    for article_id, score in scores.items():
        lift = lifts[article_id] / top_popularity if top_popularity else 0.0
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
    popularity: dict[int, float] = {}
    lexical = _text_scores(query_terms, popularity, language=language)
    semantic = _semantic_scores(
        pending_vector.result(), [pk for pk, _ in lexical], popularity, language=language
    )
    ranked = _blend(_fuse(lexical, semantic), popularity)[:limit]
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
