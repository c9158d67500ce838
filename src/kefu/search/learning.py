"""Self-learning: a search that an article answered becomes another way of asking for it."""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.db.models import F

from kefu.kb.models import Article
from kefu.search import segment
from kefu.search.models import LearnedPhrasing

MAX_PHRASING_LENGTH = 300


def _normalized(query: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", query).lower().split())[:MAX_PHRASING_LENGTH]


@transaction.atomic
def phrasing_learn(*, article: Article, query: str) -> LearnedPhrasing | None:
    """Remember ``query`` as a phrasing of ``article`` (or confirm it once more)."""
    from kefu.search.index import phrasing_index

    text = _normalized(query)
    if not text or not segment.terms(text):
        return None
    phrasing, created = LearnedPhrasing.objects.get_or_create(article=article, text=text)
    if not created:
        LearnedPhrasing.objects.filter(pk=phrasing.pk).update(
            times_confirmed=F("times_confirmed") + 1
        )
        return phrasing
    phrasing_index(phrasing)
    return phrasing


@transaction.atomic
def phrasing_forget(*, phrasing: LearnedPhrasing) -> None:
    """Remove a learned phrasing (and its index entry) — desk staff decide."""
    from kefu.search.index import phrasing_unindex

    phrasing_unindex(phrasing)
    phrasing.delete()
