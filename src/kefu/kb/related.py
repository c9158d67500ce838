"""Related articles from two signals: similar text (the search engine) and co-reading (people
who read one also read the other, within the last 90 days)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from kefu.kb.models import Article, RelatedArticle

PER_ARTICLE = 5
TEXT_WEIGHT = 0.6
COREAD_DAYS = 90

_COREAD_SQL = """
SELECT a.article_id, b.article_id, count(DISTINCT a.visitor_key)
  FROM kb_articleview a
  JOIN kb_articleview b ON a.visitor_key = b.visitor_key AND a.article_id <> b.article_id
 WHERE a.day >= %(since)s AND b.day >= %(since)s
 GROUP BY a.article_id, b.article_id
"""


def _coreading(article_ids: set[int]) -> dict[int, dict[int, float]]:
    since = (timezone.now() - timedelta(days=COREAD_DAYS)).date()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT article_id, count(DISTINCT visitor_key) FROM kb_articleview"
            " WHERE day >= %s GROUP BY article_id",
            [since],
        )
        readers = dict(cursor.fetchall())
        cursor.execute(_COREAD_SQL, {"since": since})
        pairs = cursor.fetchall()
    scores: dict[int, dict[int, float]] = defaultdict(dict)
    for first, second, together in pairs:
        if first in article_ids and second in article_ids:
            scores[first][second] = together / math.sqrt(readers[first] * readers[second])
    return scores


def related_refresh() -> int:
    """Recompute every published article's related articles. Runs inside a tenant schema."""
    from kefu.search.engine import search

    published = {a.pk: a for a in Article.objects.filter(status=Article.Status.PUBLISHED)}
    coread = _coreading(set(published))
    rows: list[RelatedArticle] = []
    for pk, article in published.items():
        hits = search(f"{article.title} {article.summary}", limit=PER_ARTICLE + 1, log=False).hits
        text = {hit.article.pk: hit.score for hit in hits if hit.article.pk != pk}
        top_text = max(text.values(), default=0.0) or 1.0
        candidates = set(text) | set(coread.get(pk, {}))
        scored = []
        for other in candidates:
            text_part = text.get(other, 0.0) / top_text
            coread_part = coread.get(pk, {}).get(other, 0.0)
            total = TEXT_WEIGHT * text_part + (1 - TEXT_WEIGHT) * coread_part
            scored.append((total, other, text_part, coread_part))
        for total, other, text_part, coread_part in sorted(scored, reverse=True)[:PER_ARTICLE]:
            rows.append(
                RelatedArticle(article_id=pk, related_id=other, score=total,
                               text_score=text_part, coread_score=coread_part)
            )  # fmt: skip
    with transaction.atomic():
        RelatedArticle.objects.all().delete()
        RelatedArticle.objects.bulk_create(rows)
    return len(rows)
