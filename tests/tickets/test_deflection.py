"""Self-service before a ticket: which answers are good enough to ask about, public resolved
tickets as answers, the self-service trail, and the held submission's services."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from kefu.kb.models import ArticleView, GuidedOutcome
from kefu.search.models import LearnedPhrasing, SearchLog
from kefu.tenancy import tenant_context
from kefu.tickets import deflection
from kefu.tickets.errors import TicketError
from kefu.tickets.models import (
    DeflectionEvent,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketField,
)
from kefu.tickets.services.changes import ticket_status_set

pytestmark = pytest.mark.django_db


def _resolved_public(make_ticket, tenant, subject: str, **options) -> Ticket:
    ticket = make_ticket(tenant, subject, is_public=True, **options)
    with tenant_context(tenant):
        ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=None)
    return ticket


def test_good_answers_keep_matching_articles_and_drop_unrelated_ones(tenant_a, make_article):
    reset = make_article(
        tenant_a, "Reset your password", "Open Settings, choose Reset password, follow the email."
    )
    make_article(tenant_a, "Shipping times", "Parcels arrive within five working days.")
    with tenant_context(tenant_a):
        found = deflection.good_answers(
            subject="I forgot my password", description="How can I reset it?", visitor_key="v1"
        )
        assert [hit.article.pk for hit in found.articles] == [reset.pk]
        log = SearchLog.objects.get()
        assert log.source == SearchLog.Source.TICKET_FORM
        assert log.visitor_key == "v1"
        nothing = deflection.good_answers(
            subject="Invoice address", description="Please change the VAT number on my invoice."
        )
        assert not nothing


def test_good_answers_understand_chinese_paraphrases(tenant_a, make_article):
    article = make_article(
        tenant_a,
        "如何重置密码",
        "打开设置，点击“重置密码”，按照邮件中的链接设置新密码。",
        language="zh-hans",
    )
    with tenant_context(tenant_a):
        found = deflection.good_answers(subject="忘记密码怎么办", description="登录不了")
        assert [hit.article.pk for hit in found.articles] == [article.pk]


def test_public_resolved_tickets_answer_but_open_or_private_ones_do_not(tenant_a, make_ticket):
    answered = _resolved_public(make_ticket, tenant_a, "Refund not received after return")
    make_ticket(tenant_a, "Refund not received yet", is_public=True)  # still open
    private = make_ticket(tenant_a, "Refund not received at all", is_public=False)
    with tenant_context(tenant_a):
        ticket_status_set(ticket=private, status=Ticket.Status.RESOLVED, actor=None)
        found = deflection.suggestions_while_typing("refund not received")
        assert [ticket.pk for ticket in found.tickets] == [answered.pk]


def test_trail_lists_this_visitors_searches_and_reads_of_the_last_day(tenant_a, make_article):
    article = make_article(tenant_a, "Reset your password", "Use the link.")
    guided = make_article(tenant_a, "Login problems", "Try again.")
    with tenant_context(tenant_a):
        SearchLog.objects.create(query="reset password", source="help_center", result_count=1,
                                 visitor_key="me")  # fmt: skip
        SearchLog.objects.create(query="typed in the form", source="ticket_form", result_count=1,
                                 visitor_key="me")  # fmt: skip
        SearchLog.objects.create(query="someone else", source="help_center", result_count=0,
                                 visitor_key="other")  # fmt: skip
        old = SearchLog.objects.create(query="last week", source="help_center", result_count=0,
                                       visitor_key="me")  # fmt: skip
        SearchLog.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=3)
        )
        ArticleView.objects.create(article=article, visitor_key="me", day=timezone.localdate())
        GuidedOutcome.objects.create(article=guided, path=[0], labels=["Web"], solved=False,
                                     visitor_key="me")  # fmt: skip
        trail = deflection.self_service_trail(visitor_key="me")
    assert [item["kind"] for item in trail] == ["search", "article", "guided"]
    assert trail[0]["query"] == "reset password"
    assert trail[0]["result_count"] == 1
    assert trail[1]["article_id"] == article.pk
    assert trail[1]["title"] == "Reset your password"
    assert trail[2]["labels"] == ["Web"]
    assert trail[2]["solved"] is False
    assert all("at" in item for item in trail)
    with tenant_context(tenant_a):
        assert deflection.self_service_trail(visitor_key="") == []


def _hold(article_pk: int, user=None, visitor: str = "me", **data) -> object:
    fields = {
        "subject": "Forgot my password",
        "description": "Help",
        "category_id": None,
        "field_values": {},
        "name": "Casey",
        "email": "casey@example.com",
        **data,
    }
    return deflection.draft_hold(
        data=fields,
        shown=[{"type": "article", "id": article_pk, "title": "Reset your password"}],
        user=user or AnonymousUser(),
        visitor_key=visitor,
        attachments=[SimpleUploadedFile("screen.png", b"png-bytes", content_type="image/png")],
    )


def test_solving_a_draft_records_one_deflection_and_learns_the_wording(tenant_a, make_article):
    article = make_article(tenant_a, "Reset your password", "Use the link.")
    with tenant_context(tenant_a):
        draft = _hold(article.pk)
        with pytest.raises(TicketError):
            deflection.draft_solve(draft=draft, article_id=999_999)  # not among those shown
        event = deflection.draft_solve(draft=draft, article_id=str(article.pk))
        again = deflection.draft_solve(draft=draft, article_id=str(article.pk))
        assert again.pk == event.pk
        assert DeflectionEvent.objects.count() == 1
        assert event.chosen_article == article
        assert event.contact.email == "casey@example.com"
        assert event.shown == [
            {"type": "article", "id": article.pk, "title": "Reset your password"}
        ]
        assert LearnedPhrasing.objects.get(article=article).text == "forgot my password help"
        assert not Ticket.objects.exists()


def test_submitting_a_draft_twice_makes_one_ticket_with_the_held_files(tenant_a, make_article):
    article = make_article(tenant_a, "Reset your password", "Use the link.")
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Account")
        TicketField.objects.create(category=category, key="receipt", label="Receipt",
                                   field_type="file", required=True)  # fmt: skip
        draft = deflection.draft_hold(
            data={"subject": "Locked out", "description": "Cannot sign in", "category_id":
                  category.pk, "field_values": {}, "name": "", "email": "lee@example.com"},
            shown=[{"type": "article", "id": article.pk, "title": article.title}],
            user=AnonymousUser(),
            visitor_key="me",
            attachments=[SimpleUploadedFile("a.txt", b"first")],
            field_files={"receipt": SimpleUploadedFile("receipt.pdf", b"%PDF-1.4")},
        )  # fmt: skip
        ArticleView.objects.create(article=article, visitor_key="me", day=timezone.localdate())
        ticket = deflection.draft_submit(draft=draft)
        assert deflection.draft_submit(draft=draft).pk == ticket.pk
        assert Ticket.objects.count() == 1
        assert ticket.tried_self_service
        assert ticket.self_service_trail[0]["kind"] == "article"
        assert ticket.requester.email == "lee@example.com"
        message_file = TicketAttachment.objects.get(filename="a.txt")
        assert message_file.ticket == ticket
        assert message_file.message == ticket.messages.get()
        assert message_file.draft is None
        receipt = TicketAttachment.objects.get(field_key="receipt")
        assert receipt.ticket == ticket
        assert receipt.file.read() == b"%PDF-1.4"
        assert ticket.fields == {"receipt": "receipt.pdf"}


def test_a_draft_belongs_to_its_visitor_or_account(tenant_a, make_article, make_user):
    article = make_article(tenant_a, "Reset your password", "Use the link.")
    owner = make_user(tenant_a, "customer")
    stranger = make_user(tenant_a, "customer")
    with tenant_context(tenant_a):
        anonymous_draft = _hold(article.pk, visitor="visitor-one")
        account_draft = _hold(article.pk, user=owner, visitor="visitor-two")
        found = deflection.access_draft(
            token=anonymous_draft.token, user=AnonymousUser(), visitor_key="visitor-one"
        )
        assert found.pk == anonymous_draft.pk
        assert deflection.access_draft(token=account_draft.token, user=owner, visitor_key="x")
        for token, user, visitor in (
            (anonymous_draft.token, AnonymousUser(), "visitor-three"),
            (anonymous_draft.token, AnonymousUser(), ""),
            (account_draft.token, stranger, "visitor-two"),
            (account_draft.token, AnonymousUser(), "visitor-two"),
            ("no-such-token", AnonymousUser(), "visitor-one"),
        ):
            with pytest.raises(Http404):
                deflection.access_draft(token=token, user=user, visitor_key=visitor)


def test_abandoned_held_submissions_are_cleaned_up_after_a_week(tenant_a):
    from django.core.files.base import ContentFile

    from kefu.tickets.jobs import drafts_cleanup_job
    from kefu.tickets.models import SubmissionDraft, TicketAttachment

    with tenant_context(tenant_a):
        old = SubmissionDraft.objects.create(data={"subject": "left"}, visitor_key="v" * 20)
        fresh = SubmissionDraft.objects.create(data={"subject": "still thinking"})
        SubmissionDraft.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=8)
        )
        held = TicketAttachment(draft=old, filename="a.txt", size=1)
        held.file.save("a.txt", ContentFile(b"x"), save=True)
        path = held.file.path
        assert drafts_cleanup_job() == 1
        assert list(SubmissionDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
        assert not TicketAttachment.objects.filter(pk=held.pk).exists()
        assert not Path(path).exists()
