"""Self-service before a ticket: suggested answers, the held submission ("Does one of these
answer your question?"), and the trail of what the customer searched and read.

Runs inside a tenant schema. A held submission (``SubmissionDraft``) keeps everything the
customer typed and uploaded: "Yes, solved" turns it into a ``DeflectionEvent`` and no ticket,
"No, submit" into the ticket, exactly once.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.contacts.models import Contact
from kefu.contacts.services import contact_for_email, contact_for_user
from kefu.core.parsing import id_or_none
from kefu.kb.content import html_to_text
from kefu.kb.models import Article, ArticleView, GuidedOutcome
from kefu.search import embeddings, segment
from kefu.search.engine import SearchHit, article_similarities, min_similarity, search
from kefu.search.models import (
    QUESTION_LOG_LENGTH,
    LearnedPhrasing,
    PhrasingLesson,
    SearchLog,
)
from kefu.tickets.errors import TicketError
from kefu.tickets.models import (
    DeflectionEvent,
    SubmissionDraft,
    Ticket,
    TicketAttachment,
    TicketCategory,
)
from kefu.tickets.selectors import ticket_list_answered_matching

MAX_ARTICLES = 5
MAX_TICKETS = 3
#: A hit below this share of the best hit's score is noise in the tail of the ranking.
MIN_SHARE_OF_TOP = 0.5
#: Without a close meaning, a good answer covers at least this share of the question's words
#: (its text and the phrasings customers taught it count), or the question holds most of its
#: title's words.
MIN_QUERY_COVERAGE = 0.2
MIN_TITLE_COVERAGE = 0.5
TRAIL_HOURS = 24
MAX_TRAIL_ITEMS = 50


@dataclass
class Suggestions:
    """Answers worth showing for a question: articles and public resolved tickets."""

    articles: list[SearchHit] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.articles or self.tickets)

    def shown(self) -> list[dict[str, Any]]:
        """What the customer was shown, as stored on the draft and the deflection event."""
        return [
            {"type": "article", "id": hit.article.pk, "title": hit.article.title}
            for hit in self.articles
        ] + [
            {"type": "ticket", "id": ticket.pk, "title": ticket.subject} for ticket in self.tickets
        ]


def question_text(subject: str, description: str) -> str:
    return f"{(subject or '').strip()}\n{(description or '').strip()}".strip()


def suggestions_while_typing(query: str) -> Suggestions:
    """Everything search finds for the words typed so far (not logged: keystrokes are not
    searches)."""
    query = (query or "").strip()
    if len(query) < 2:
        return Suggestions()
    return Suggestions(
        articles=search(query, limit=MAX_ARTICLES, log=False).hits,
        tickets=ticket_list_answered_matching(query, limit=MAX_TICKETS),
    )


def _coverage(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def _words(text: str) -> set[str]:
    """Whole words (jieba's for Chinese, stems for English), not the character pairs the index
    adds for recall: coverage is about words the question and the answer share."""
    words = set()
    for word in segment.highlight_words(text):
        words.update(segment.terms(word) if word.isascii() else [word])
    return words


def _similarities(query: str, article_ids: list[int]) -> dict[int, float]:
    """Cosine similarity of the question to each article's closest entry (text or learned
    phrasing), when semantic search is on; else nothing."""
    vector = embeddings.embed_query(query)
    if vector is None:
        return {}
    return article_similarities(vector, article_ids)


def _is_good_answer(
    hit: SearchHit, question_words: set[str], phrasings: list[str], similarity: float | None
) -> bool:
    if similarity is not None and similarity >= min_similarity():
        return True
    article = hit.article
    text = " ".join([article.title, article.summary, html_to_text(article.body_html), *phrasings])
    return (
        _coverage(question_words, _words(text)) >= MIN_QUERY_COVERAGE
        or _coverage(_words(article.title), question_words) >= MIN_TITLE_COVERAGE
    )


def good_answers(
    *,
    subject: str,
    description: str,
    visitor_key: str = "",
    source: str = SearchLog.Source.TICKET_FORM,
) -> Suggestions:
    """Answers good enough to ask "Does one of these answer your question?" before a ticket.

    The search is logged (``source``: the ticket form unless told) by the subject alone
    (``SearchLog``), so questions nothing answered show up as content gaps. Search scores are
    relative within one query, so "good" is judged absolutely: a kept article scores at least
    half the best one, and is close in meaning (the semantic search's own bar) or shares enough
    words with the question.
    """
    query = question_text(subject, description)
    hits = search(
        query,
        limit=MAX_ARTICLES,
        source=source,
        visitor_key=visitor_key,
        logged_query=(subject or "").strip()[:QUESTION_LOG_LENGTH],
    ).hits
    top = max((hit.score for hit in hits), default=0.0)
    hits = [hit for hit in hits if hit.score >= MIN_SHARE_OF_TOP * top]
    ids = [hit.article.pk for hit in hits]
    similarities = _similarities(query, ids)
    phrasings: dict[int, list[str]] = {}
    for article_id, text in LearnedPhrasing.objects.filter(
        article_id__in=ids, withdrawn_at__isnull=True
    ).values_list("article_id", "text"):
        phrasings.setdefault(article_id, []).append(text)
    question_words = _words(query)
    articles = [
        hit
        for hit in hits
        if _is_good_answer(
            hit, question_words, phrasings.get(hit.article.pk, []), similarities.get(hit.article.pk)
        )
    ]
    return Suggestions(
        articles=articles, tickets=ticket_list_answered_matching(query, limit=MAX_TICKETS)
    )


def self_service_trail(*, visitor_key: str, hours: int = TRAIL_HOURS) -> list[dict[str, Any]]:
    """What this visitor searched and read in the last ``hours``, oldest first: searches, articles
    opened and guided answers followed. The ticket form's own search is not part of it."""
    if not visitor_key:
        return []
    since = timezone.now() - datetime.timedelta(hours=hours)
    items: list[dict[str, Any]] = []
    searches = (
        SearchLog.objects.filter(visitor_key=visitor_key, created_at__gte=since)
        .exclude(source=SearchLog.Source.TICKET_FORM)
        .order_by("-created_at")[:MAX_TRAIL_ITEMS]
    )
    for log in searches:
        items.append(
            {"kind": "search", "query": log.query, "result_count": log.result_count,
             "at": log.created_at.isoformat()}
        )  # fmt: skip
    views = (
        ArticleView.objects.filter(visitor_key=visitor_key, created_at__gte=since)
        .select_related("article")
        .order_by("-created_at")[:MAX_TRAIL_ITEMS]
    )
    for view in views:
        items.append(
            {"kind": "article", "article_id": view.article_id, "title": view.article.title,
             "at": view.created_at.isoformat()}
        )  # fmt: skip
    outcomes = (
        GuidedOutcome.objects.filter(visitor_key=visitor_key, created_at__gte=since)
        .select_related("article")
        .order_by("-created_at")[:MAX_TRAIL_ITEMS]
    )
    for outcome in outcomes:
        items.append(
            {"kind": "guided", "article_id": outcome.article_id, "title": outcome.article.title,
             "labels": list(outcome.labels), "solved": outcome.solved,
             "at": outcome.created_at.isoformat()}
        )  # fmt: skip
    items.sort(key=lambda item: item["at"])
    return items[-MAX_TRAIL_ITEMS:]


# --- held submissions -------------------------------------------------------------------------


def _store_upload(*, draft: SubmissionDraft, upload: UploadedFile, field_key: str = "") -> None:
    TicketAttachment.objects.create(
        draft=draft,
        field_key=field_key,
        file=upload,
        filename=(upload.name or "file")[:255],
        content_type=getattr(upload, "content_type", "") or "",
        size=upload.size or 0,
    )


@transaction.atomic
def draft_hold(
    *,
    data: Mapping[str, Any],
    shown: Sequence[Mapping[str, Any]],
    user: User | AnonymousUser,
    visitor_key: str,
    attachments: Sequence[UploadedFile] = (),
    field_files: Mapping[str, UploadedFile] | None = None,
) -> SubmissionDraft:
    """Keep a validated submission (``data``: subject, description, category_id, field_values,
    name, email) and its files while the customer looks at ``shown``."""
    draft = SubmissionDraft.objects.create(
        data=dict(data),
        shown=[dict(item) for item in shown],
        user=user if user.is_authenticated else None,
        visitor_key=visitor_key,
    )
    for upload in attachments:
        _store_upload(draft=draft, upload=upload)
    for key, upload in (field_files or {}).items():
        _store_upload(draft=draft, upload=upload, field_key=key)
    return draft


def access_draft(*, token: str, user: User | AnonymousUser, visitor_key: str) -> SubmissionDraft:
    """The held submission if it belongs to this person (their account, or for an anonymous
    visitor their visitor cookie), else 404."""
    draft = SubmissionDraft.objects.filter(token=token).first()
    if draft is None:
        raise Http404
    if draft.user_id is not None:
        owned = user.is_authenticated and user.pk == draft.user_id
    else:
        owned = bool(visitor_key) and draft.visitor_key == visitor_key
    if not owned:
        raise Http404
    return draft


def _chosen(draft: SubmissionDraft, kind: str, raw_id: Any) -> int:
    chosen_id = id_or_none(raw_id) or 0
    if not any(item.get("type") == kind and item.get("id") == chosen_id for item in draft.shown):
        raise TicketError(_("Choose one of the answers shown."))
    return chosen_id


def _draft_contact(draft: SubmissionDraft) -> Contact | None:
    if draft.user is not None:
        return contact_for_user(user=draft.user)
    email = str(draft.data.get("email") or "").strip()
    if not email:
        return None
    return contact_for_email(email=email, name=str(draft.data.get("name") or ""))


@transaction.atomic
def draft_solve(
    *, draft: SubmissionDraft, article_id: Any = None, ticket_id: Any = None
) -> DeflectionEvent:
    """ "Yes, this solved it": a deflection event (question, answers shown, the one chosen), the
    question learned as a phrasing of the chosen article, and no ticket. Once per draft."""
    from kefu.search.learning import phrasing_learn

    draft = (
        SubmissionDraft.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=draft.pk)
    )
    if draft.deflection_id is not None:
        return draft.deflection
    if draft.ticket_id is not None:
        raise TicketError(_("This request was already sent to our team."))
    article = ticket = None
    if article_id not in (None, ""):
        article = Article.objects.filter(
            pk=_chosen(draft, "article", article_id), status=Article.Status.PUBLISHED
        ).first()
    else:
        ticket = Ticket.objects.filter(pk=_chosen(draft, "ticket", ticket_id)).first()
    if article is None and ticket is None:
        raise TicketError(_("That answer is no longer available."))
    query = question_text(draft.data.get("subject", ""), draft.data.get("description", ""))
    event = DeflectionEvent.objects.create(
        query=query,
        shown=draft.shown,
        chosen_article=article,
        chosen_ticket=ticket,
        source=DeflectionEvent.Source.TICKET_FORM,
        contact=_draft_contact(draft),
        visitor_key=draft.visitor_key,
    )
    draft.deflection = event
    draft.save(update_fields=["deflection"])
    if article is not None:
        phrasing_learn(
            article=article,
            query=query,
            source=PhrasingLesson.Source.TICKET_FORM,
            visitor_key=draft.visitor_key,
            contact_id=event.contact_id,
        )
    return event


def _field_file(attachment: TicketAttachment) -> File:
    attachment.file.open("rb")
    return File(attachment.file.file, name=attachment.filename)


@transaction.atomic
def draft_submit(*, draft: SubmissionDraft, language: str = "") -> Ticket:
    """ "No, submit my request": the ticket, with the files held and the self-service trail.
    Submitting the same draft again returns the ticket already made (no duplicate)."""
    from kefu.messaging.channels import channel_receive

    draft = (
        SubmissionDraft.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=draft.pk)
    )
    if draft.ticket_id is not None:
        return Ticket.objects.get(pk=draft.ticket_id)
    data = draft.data
    held = list(TicketAttachment.objects.filter(draft=draft, ticket__isnull=True))
    field_attachments = [a for a in held if a.field_key]
    category = TicketCategory.objects.filter(pk=data.get("category_id") or 0).first()
    ticket = channel_receive(
        channel=Ticket.Channel.WEB,
        identity_kind="account" if draft.user else "email",
        identity_value=str(draft.user.pk) if draft.user else str(data.get("email") or ""),
        name="" if draft.user else str(data.get("name") or ""),
        visitor_key=draft.visitor_key,
        subject=data.get("subject", ""),
        body=data.get("description", ""),
        category=category,
        field_values=data.get("field_values") or {},
        # Field files are copied through ticket_create so its validation sees them.
        field_files={a.field_key: _field_file(a) for a in field_attachments},
        self_service_trail=self_service_trail(visitor_key=draft.visitor_key),
        actor=draft.user,
        language=language,
    ).ticket
    for attachment in field_attachments:
        attachment.file.close()
        # The ticket has its own copy now; the held file goes once that copy is committed.
        transaction.on_commit(lambda held=attachment.file: held.storage.delete(held.name))
        attachment.delete()
    first_message = ticket.messages.order_by("created_at", "pk").first()
    TicketAttachment.objects.filter(draft=draft, field_key="").update(
        ticket=ticket, message=first_message, draft=None
    )
    draft.ticket = ticket
    draft.save(update_fields=["ticket"])
    return ticket
