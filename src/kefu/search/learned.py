"""When a learned phrasing counts as evidence for its article (calibrated self-learning).

A phrasing customers taught an article is a real clue only when the query is *that* question
again, not merely a question of the same kind. Counting every phrasing as another entry of its
article (its best entry scoring for it) made learning hurt the questions it never saw: an
article with more entries wins more often by chance, and on a held-out split of BQ recall@3 of
the untaught questions fell from 0.39 to 0.29 (0.07 of that was popularity, which the learning
votes also raised; the rest the extra entries). So a phrasing now counts only when both signals
agree that the query is closer to it than to anything else it could be confused with:

- meaning: the query is closer to the phrasing than the phrasing is to the closest text of any
  *other* article (its ``radius``, kept by ``kefu.search.index``), by ``MEANING_MARGIN``;
- words: the query and the phrasing share much of their weight in terms (IDF-weighted Dice
  overlap at least ``WORD_OVERLAP``; ``WORD_OVERLAP_ALONE`` when meaning is off or the phrasing
  has no radius yet) — unless meaning alone is sure: closer than the radius by
  ``STRONG_MARGIN`` (the same question in other words).

A phrasing that counts scores for its article like the article's own text, plus
``MATCH_BONUS``. How many phrasings an article has does not change its chance: a phrasing that
does not count is ignored, and one that counts is a near-repeat of the query. Tuned on the learn
halves only (teaching half of them, asking the rest); see the README's search section.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

# The thresholds are settings (KEFU_SEARCH_LEARNED_*), read at call time.


def meaning_margin() -> float:
    return settings.KEFU_SEARCH_LEARNED_MARGIN


def strong_margin() -> float:
    return settings.KEFU_SEARCH_LEARNED_STRONG_MARGIN


def word_overlap_needed() -> float:
    return settings.KEFU_SEARCH_LEARNED_OVERLAP


def word_overlap_alone() -> float:
    return settings.KEFU_SEARCH_LEARNED_OVERLAP_ALONE


def match_bonus() -> float:
    return settings.KEFU_SEARCH_LEARNED_BONUS


@dataclass
class PhrasingMatch:
    """One learned phrasing that the query came near, by words or by meaning."""

    entry_id: int
    article_id: int
    words: float = 0.0  #: its BM25 score for the query (0 when no term matched)
    similarity: float | None = None  #: cosine similarity of the query to the phrasing
    radius: float | None = None
    terms: dict[str, float] | None = None  #: the phrasing's terms with their IDF


def word_overlap(query_idf: dict[str, float], phrasing_idf: dict[str, float]) -> float:
    """IDF-weighted Dice overlap of two term sets: 1 for the same terms, 0 for none shared."""
    total = sum(query_idf.values()) + sum(phrasing_idf.values())
    if not total:
        return 0.0
    shared = sum(weight for term, weight in query_idf.items() if term in phrasing_idf)
    return 2 * shared / total


def counts(match: PhrasingMatch, query_idf: dict[str, float]) -> bool:
    """Whether this phrasing is evidence for its article for this query."""
    overlap = word_overlap(query_idf, match.terms or {})
    if match.similarity is None or match.radius is None:
        return overlap >= word_overlap_alone()
    if match.similarity >= match.radius + strong_margin():
        return True
    return match.similarity >= match.radius + meaning_margin() and overlap >= word_overlap_needed()
