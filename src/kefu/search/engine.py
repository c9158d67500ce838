"""The one search function: help center, ticket form, widget, email auto-replies and the API
all call ``search()``.

Ranking fuses two signals over each article's own text:

- words: Okapi BM25 in PostgreSQL, from postings read per term in weight order;
- meaning: cosine similarity of multilingual-e5-small embeddings (pgvector, HNSW), when on.

Both are scaled to 0..1 among the query's candidates and weighted; without embeddings it is
BM25 alone. Phrasings customers taught an article are scored apart and count for it only when
``kefu.search.learned`` finds the query is that question again. Popularity (time-decayed views
and helpful votes) only breaks ties: as a lift of up to a fifth it let every article that had
ever been voted on outrank better matches that had not (measured: most of the harm learning
did to untaught questions).
"""

from __future__ import annotations

import html
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from kefu.core.privacy import mask_personal_data
from kefu.kb.content import html_to_text
from kefu.kb.models import Article
from kefu.kb.selectors import article_ids_replaced_by_translation
from kefu.search import embeddings, learned, segment
from kefu.search.index import custom_words, index_stats, question_discount
from kefu.search.learned import PhrasingMatch
from kefu.search.models import SearchEntry, SearchLog, SearchTerm

#: Each query term contributes its best-weighted entries, at most this many: a query touches a
#: bounded number of rows however large the tenant (an entry that matters ranks high on some
#: term it shares with the query).
PER_TERM_POSTINGS = 500
CANDIDATES = 200
#: The best articles by words that are checked (published, language) for those candidates:
#: checking every article that shares a common word would cost more than ranking them.
CANDIDATE_POOL = 4 * CANDIDATES
# Nearest entries by meaning considered per query, from each of the two HNSW indexes: the
# setting KEFU_SEARCH_SEMANTIC_CANDIDATES (also their ef_search, set on the connection).

#: The best lexical candidates whose similarity is computed exactly when the HNSW walk did not
#: reach them (lower ones rarely reach the top ten on words alone).
EXACT_CANDIDATES = 50


def min_similarity() -> float:
    """How similar (e5 cosine) an article found by meaning alone must be: unrelated text scores
    about 0.80-0.85 with this model, answers about 0.86-0.92. KEFU_SEARCH_MIN_SIMILARITY, read
    at call time (a test may override it)."""
    return settings.KEFU_SEARCH_MIN_SIMILARITY


MAX_QUERY_LENGTH = 300

#: Per query: the best articles by their own text, and the best learned phrasings apart (they
#: count only when ``kefu.search.learned`` says so).
_BM25_SQL = """
WITH q(term, idf) AS (SELECT * FROM unnest(%(terms)s::text[], %(idfs)s::float8[])),
     scored AS (
       SELECT p.entry_id, p.article_id, p.learned, SUM(q.idf * p.weight) AS score
         FROM q CROSS JOIN LATERAL (
                SELECT entry_id, article_id, learned, weight FROM search_searchposting
                 WHERE term = q.term ORDER BY weight DESC LIMIT %(per_term)s) p
        GROUP BY p.entry_id, p.article_id, p.learned),
     best AS (
       SELECT article_id, MAX(score) AS score FROM scored WHERE NOT learned
        GROUP BY article_id ORDER BY score DESC, article_id LIMIT %(pool)s)
(SELECT a.id, NULL::bigint, b.score, a.popularity
   FROM best b JOIN kb_article a ON a.id = b.article_id AND a.status = 'published'
  {language_filter}
  ORDER BY b.score DESC, a.id
  LIMIT %(limit)s)
UNION ALL
(SELECT a.id, s.entry_id, s.score, a.popularity
   FROM scored s JOIN kb_article a ON a.id = s.article_id AND a.status = 'published'
  WHERE s.learned {language_and}
  ORDER BY s.score DESC, s.entry_id
  LIMIT %(phrasings)s)
"""
#: Learned phrasings considered per query by words (each then checked against the gate).
PHRASING_CANDIDATES = 50


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


@dataclass
class _Found:
    """What one query found: each article's best score by its own text, by words and by
    meaning; the learned phrasings it came near (checked apart); the articles' popularity."""

    lexical: dict[int, float] = field(default_factory=dict)
    semantic: dict[int, float] = field(default_factory=dict)
    phrasings: dict[int, PhrasingMatch] = field(default_factory=dict)
    popularity: dict[int, float] = field(default_factory=dict)
    query_idf: dict[str, float] = field(default_factory=dict)


def _text_scores(query_terms: list[str], found: _Found, *, language: str | None) -> None:
    """BM25 of the best candidates by words, and of the best learned phrasings."""
    total, _average_length = index_stats()
    if not total or not query_terms:
        return
    unique_terms = list(dict.fromkeys(query_terms))
    counts = dict(
        SearchTerm.objects.filter(term__in=unique_terms).values_list("term", "entry_count")
    )
    present = [term for term in unique_terms if counts.get(term)]
    if not present:
        return
    found.query_idf = {term: _idf(counts[term], total) for term in present}
    params = {
        "terms": present,
        "idfs": list(found.query_idf.values()),
        "per_term": PER_TERM_POSTINGS,
        "limit": CANDIDATES,
        "pool": CANDIDATE_POOL,
        "phrasings": PHRASING_CANDIDATES,
    }
    language_filter = _language_clause(language, params, "WHERE")
    language_and = _language_clause(language, params, "AND")
    with connection.cursor() as cursor:
        cursor.execute(
            _BM25_SQL.format(language_filter=language_filter, language_and=language_and), params
        )
        rows = cursor.fetchall()
    for article_id, entry_id, score, popularity in rows:
        found.popularity[article_id] = popularity
        if entry_id is None:
            found.lexical[article_id] = float(score)
        else:
            found.phrasings[entry_id] = PhrasingMatch(entry_id, article_id, words=float(score))


_embedder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kefu-embed")

#: The query's similarity to every entry of each candidate article, with the article's
#: popularity and each phrasing's radius, in one statement. Candidates are the nearest entries
#: by both vectors — the question (title or learned phrasing, compared symmetrically) and the
#: article's text (a passage), read from the HNSW indexes — and the best lexical candidates,
#: which the graph walk may not have reached. The walk's breadth (``hnsw.ef_search``) is set
#: when the connection starts (settings).
_SEMANTIC_SQL = """
WITH candidates AS (
       (SELECT article_id FROM search_searchentry WHERE question_embedding IS NOT NULL
         ORDER BY question_embedding <=> %(vector)s::vector LIMIT %(limit)s)
       UNION
       (SELECT article_id FROM search_searchentry WHERE embedding IS NOT NULL
         ORDER BY embedding <=> %(vector)s::vector LIMIT %(limit)s)
       UNION
       SELECT unnest(%(ids)s::bigint[]))
SELECT a.id, a.popularity, e.id, e.kind = 'phrasing',
       1 - (e.question_embedding <=> %(vector)s::vector), 1 - (e.embedding <=> %(vector)s::vector),
       e.radius
  FROM candidates c
  JOIN kb_article a ON a.id = c.article_id AND a.status = 'published' {language_filter}
  JOIN search_searchentry e ON e.article_id = a.id
"""
_SIMILARITY_SQL = """
SELECT article_id, MAX(GREATEST(1 - (question_embedding <=> %(vector)s::vector) - %(discount)s,
                                1 - (embedding <=> %(vector)s::vector)))
  FROM search_searchentry
 WHERE article_id = ANY(%(ids)s)
 GROUP BY article_id
"""
_PHRASING_TERMS_SQL = """
SELECT p.entry_id, p.term, t.entry_count
  FROM search_searchposting p JOIN search_searchterm t ON t.term = p.term
 WHERE p.entry_id = ANY(%(ids)s)
"""


def article_similarities(vector: list[float], article_ids: list[int]) -> dict[int, float]:
    """Exact cosine similarity of a query vector to each article's closest entry."""
    if not article_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            _SIMILARITY_SQL,
            {"vector": str(vector), "ids": article_ids, "discount": question_discount()},
        )
        return {pk: float(value) for pk, value in cursor.fetchall() if value is not None}


def _semantic_scores(vector: list[float] | None, found: _Found, *, language: str | None) -> None:
    """Cosine similarity of the query to each candidate's own text (its best entry), and to
    each of their learned phrasings: the nearest entries by the HNSW indexes and the best
    lexical candidates."""
    if vector is None:
        return
    exact = list(found.lexical)[:EXACT_CANDIDATES]
    exact += [match.article_id for match in found.phrasings.values()]
    params: dict[str, object] = {
        "vector": str(vector),
        "limit": settings.KEFU_SEARCH_SEMANTIC_CANDIDATES,
        "ids": list(dict.fromkeys(exact)),
    }
    language_filter = _language_clause(language, params, "AND")
    with connection.cursor() as cursor:
        cursor.execute(_SEMANTIC_SQL.format(language_filter=language_filter), params)
        rows = cursor.fetchall()
    for pk, popularity, entry_id, is_phrasing, question, passage, radius in rows:
        found.popularity[pk] = popularity
        if is_phrasing:
            match = found.phrasings.setdefault(entry_id, PhrasingMatch(entry_id, pk))
            match.similarity, match.radius = question, radius
            continue
        values = [value for value in (passage,) if value is not None]
        if question is not None:
            values.append(question - question_discount())
        if values:
            found.semantic[pk] = max(found.semantic.get(pk, -1.0), *values)


def _phrasings_that_count(found: _Found) -> list[PhrasingMatch]:
    """The learned phrasings that are evidence for their article for this query."""
    possible = [
        match
        for match in found.phrasings.values()
        if match.similarity is None
        or match.radius is None
        or match.similarity >= match.radius + learned.meaning_margin()
    ]
    if not possible or not found.query_idf:
        return []
    total, _average_length = index_stats()
    with connection.cursor() as cursor:
        cursor.execute(_PHRASING_TERMS_SQL, {"ids": [match.entry_id for match in possible]})
        for entry_id, term, entry_count in cursor.fetchall():
            match = found.phrasings[entry_id]
            match.terms = match.terms or {}
            match.terms[term] = _idf(entry_count, total)
    return [match for match in possible if learned.counts(match, found.query_idf)]


def _fuse(found: _Found) -> tuple[dict[int, float], list[PhrasingMatch]]:
    """Both signals scaled to 0..1 within this query's candidates, then weighted. A learned
    phrasing that counts scores for its article like the article's own text, and lifts it by
    ``learned.match_bonus()`` of the best score."""
    lexical_scores, semantic = dict(found.lexical), dict(found.semantic)
    matched = _phrasings_that_count(found)
    discount = question_discount()
    for match in matched:
        pk = match.article_id
        if match.words:
            lexical_scores[pk] = max(lexical_scores.get(pk, 0.0), match.words)
        if match.similarity is not None:
            semantic[pk] = max(semantic.get(pk, -1.0), match.similarity - discount)
    top_lexical = max(lexical_scores.values(), default=0.0) or 1.0
    if semantic:
        low, high = min(semantic.values()), max(semantic.values())
        spread = (high - low) or 1.0
    fused = {}
    lexical_weight, similarity_needed = settings.KEFU_SEARCH_LEXICAL_WEIGHT, min_similarity()
    for pk in set(lexical_scores) | set(semantic):
        if pk not in lexical_scores and semantic[pk] < similarity_needed:
            continue
        lexical_part = lexical_scores.get(pk, 0.0) / top_lexical
        if not semantic:
            fused[pk] = lexical_part
            continue
        semantic_part = (semantic[pk] - low) / spread if pk in semantic else 0.0
        # KEFU_SEARCH_LEXICAL_WEIGHT: the share from words (BM25); the rest is meaning.
        fused[pk] = lexical_weight * lexical_part + (1 - lexical_weight) * semantic_part
    top = max(fused.values(), default=0.0)
    for pk in {match.article_id for match in matched} & set(fused):
        fused[pk] += learned.match_bonus() * top
    return fused, matched


def _ranked(scores: dict[int, float], popularity: dict[int, float]) -> list[tuple[int, float]]:
    """Best score first; popularity only breaks ties (see the module's notes)."""
    return sorted(
        scores.items(), key=lambda pair: (-pair[1], -popularity.get(pair[0], 0.0), pair[0])
    )


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
    logged_query: str | None = None,
    reader_language: str | None = None,
) -> SearchResults:
    """Published articles of the current tenant that answer ``query``, best first.

    Runs inside the tenant's schema. With ``log`` the search is recorded (query, result count)
    so the desk can show searches that found nothing and learn from clicks and votes. The log
    keeps ``logged_query`` (default: the query) with personal data masked
    (``kefu.core.privacy``): a ticket form's question keeps only its subject. With
    ``reader_language`` the results follow the help center's language rule
    (``kefu.kb.selectors.article_list_for_reader``): an article whose translation in that
    language is published gives way to it.
    """
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    results = SearchResults(query=query)
    if not query:
        return results
    query_terms = segment.terms(query, custom_words=custom_words())
    # The model runs in C without the GIL: embed the query while PostgreSQL ranks by words.
    pending_vector = _embedder.submit(embeddings.embed_query, query)
    found = _Found()
    _text_scores(query_terms, found, language=language)
    _semantic_scores(pending_vector.result(), found, language=language)
    fused, matched = _fuse(found)
    if reader_language:
        replaced = set(
            article_ids_replaced_by_translation(language=reader_language).values_list(
                "pk", flat=True
            )
        )
        fused = {pk: score for pk, score in fused.items() if pk not in replaced}
    ranked = _ranked(fused, found.popularity)[:limit]
    articles = Article.objects.select_related("category").in_bulk([pk for pk, _ in ranked])
    words = segment.highlight_words(query)
    results.hits = [
        SearchHit(article=articles[pk], score=score, snippet=snippet(articles[pk], words))
        for pk, score in ranked
    ]
    if log:
        kept = query if logged_query is None else logged_query.strip()
        results.log = SearchLog.objects.create(
            query=mask_personal_data(kept)[:MAX_QUERY_LENGTH],
            language=language or "",
            source=source,
            result_count=len(results.hits),
            result_ids=[hit.article.pk for hit in results.hits],
            visitor_key=visitor_key,
            phrasing_ids=_phrasing_ids(matched, {pk for pk, _ in ranked}),
        )
    return results


def _phrasing_ids(matched: list[PhrasingMatch], shown: set[int]) -> list[int]:
    """The learned phrasings that counted for articles the search returned."""
    entries = [match.entry_id for match in matched if match.article_id in shown]
    if not entries:
        return []
    return sorted(
        SearchEntry.objects.filter(pk__in=entries, phrasing__isnull=False).values_list(
            "phrasing_id", flat=True
        )
    )
