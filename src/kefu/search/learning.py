"""Self-learning: a search that an article answered becomes another way of asking for it, and
stops being one when the customer who taught it files a ticket on the same subject soon after.

A phrasing is taught by a helpful vote after a search, by "Yes, this solved it" in the ticket
form, and by a confirmed bot answer — each a ``PhrasingLesson`` that remembers who taught it.
How much a phrasing weighs in ranking is decided per query (``kefu.search.learned``), not by
how often it was taught.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kefu.core.privacy import mask_personal_data
from kefu.kb.models import Article
from kefu.search import segment
from kefu.search.models import LearnedPhrasing, PhrasingLesson, SearchLog

MAX_PHRASING_LENGTH = 300
#: A ticket on the same subject this soon after a lesson withdraws it (the answer had not
#: solved it after all).
UNLEARN_WINDOW_DAYS = 7
#: "The same subject": the taught article is among this many results of the ticket's text.
SAME_SUBJECT_RESULTS = 3


def _normalized(query: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", query).lower().split())[:MAX_PHRASING_LENGTH]


@transaction.atomic
def phrasing_learn(
    *,
    article: Article,
    query: str,
    source: str = PhrasingLesson.Source.VOTE,
    visitor_key: str = "",
    contact_id: int | None = None,
) -> LearnedPhrasing | None:
    """Remember ``query`` as a phrasing of ``article``, taught by this visitor (or confirm it
    once more: once per visitor). A withdrawn phrasing taught again is searched again."""
    from kefu.search.index import phrasing_index

    text = mask_personal_data(_normalized(query))
    if not text or not segment.terms(text):
        return None
    phrasing, created = LearnedPhrasing.objects.select_for_update().get_or_create(
        article=article, text=text
    )
    visitor_key = visitor_key[:64]
    if visitor_key and phrasing.lessons.filter(visitor_key=visitor_key).exists():
        return phrasing
    PhrasingLesson.objects.create(
        phrasing=phrasing, source=source, visitor_key=visitor_key, contact_id=contact_id
    )
    if created:
        phrasing_index(phrasing)
        return phrasing
    LearnedPhrasing.objects.filter(pk=phrasing.pk).update(
        times_confirmed=F("times_confirmed") + 1, withdrawn_at=None
    )
    if phrasing.withdrawn_at is not None:
        phrasing.withdrawn_at = None
        phrasing_index(phrasing)
    return phrasing


def phrasings_helped(*, search_log: SearchLog | None, article: Article) -> None:
    """The search ended well on ``article``: each learned phrasing that lifted it there helped."""
    if search_log is None or not search_log.phrasing_ids:
        return
    LearnedPhrasing.objects.filter(pk__in=search_log.phrasing_ids, article=article).update(
        times_helped=F("times_helped") + 1
    )


@transaction.atomic
def lessons_withdraw(
    *,
    visitor_keys: Iterable[str],
    contact_id: int | None,
    subject: str,
    at: datetime,
    ticket_id: int | None = None,
) -> int:
    """A customer (any of their visitor ids, or their contact) filed a ticket about ``subject``
    at ``at``: their lessons of the window before it, for articles on that subject, are
    withdrawn; a phrasing nobody else stands by is no longer searched. Returns how many
    lessons were withdrawn; running it twice withdraws nothing more."""
    from kefu.search.engine import search
    from kefu.search.index import phrasing_unindex

    keys = [key for key in visitor_keys if key]
    who = PhrasingLesson.objects.none()
    if keys:
        who = who | PhrasingLesson.objects.filter(visitor_key__in=keys)
    if contact_id is not None:
        who = who | PhrasingLesson.objects.filter(contact_id=contact_id)
    lessons = list(
        who.filter(
            withdrawn_at__isnull=True,
            created_at__gte=at - timedelta(days=UNLEARN_WINDOW_DAYS),
            created_at__lte=at,
        ).select_related("phrasing__article")
    )
    if not lessons or not subject.strip():
        return 0
    on_subject = {
        hit.article.pk for hit in search(subject, limit=SAME_SUBJECT_RESULTS, log=False).hits
    }
    withdrawn = [lesson for lesson in lessons if lesson.phrasing.article_id in on_subject]
    now = timezone.now()
    for lesson in withdrawn:
        lesson.withdrawn_at, lesson.withdrawn_by_ticket_id = now, ticket_id
        lesson.save(update_fields=["withdrawn_at", "withdrawn_by_ticket_id"])
        phrasing = LearnedPhrasing.objects.select_for_update().get(pk=lesson.phrasing_id)
        phrasing.times_confirmed = max(phrasing.times_confirmed - 1, 0)
        fields = ["times_confirmed", "updated_at"]
        if phrasing.times_confirmed == 0 and phrasing.withdrawn_at is None:
            phrasing.withdrawn_at = now
            fields.append("withdrawn_at")
            phrasing_unindex(phrasing)
        phrasing.save(update_fields=fields)
    return len(withdrawn)


@transaction.atomic
def phrasing_forget(*, phrasing: LearnedPhrasing) -> None:
    """Remove a learned phrasing (and its index entry) — desk staff decide."""
    from kefu.search.index import phrasing_unindex

    phrasing_unindex(phrasing)
    phrasing.delete()
