"""One timeline per customer in the desk: help center searches and reads, tickets and messages on
every channel, answers that solved it, and ratings, in order and in a fixed number of queries."""

from __future__ import annotations

import re

import pytest

from kefu.accounts.models import User
from kefu.contacts.services import contact_for_email, contact_for_user, contact_visitor_link
from kefu.kb.models import ArticleView, GuidedOutcome
from kefu.search.models import SearchLog
from kefu.tenancy import tenant_context
from kefu.tickets.models import DeflectionEvent, Ticket, TicketRating
from kefu.tickets.services.thread import ticket_reply
from kefu.tickets.timeline import contact_timeline
from tests.contacts.conftest import browser_for

pytestmark = pytest.mark.django_db


def _submit_on_the_help_center(browser, subject: str, description: str) -> None:
    """The web form; if it holds the request to suggest answers, the customer still sends it."""
    response = browser.post("/tickets/new/", {"subject": subject, "description": description})
    assert response.status_code == 302, response.content.decode()[:1000]
    if "/tickets/held/" in response["Location"]:
        response = browser.post(response["Location"] + "submit/")
        assert response.status_code == 302


def _positions(html: str, *needles: str) -> list[int]:
    found = []
    for needle in needles:
        assert needle in html, needle
        found.append(html.index(needle))
    return found


def test_the_desk_timeline_shows_searches_reads_and_web_and_email_tickets_in_order(
    tenant_a, make_user, make_article, agent
):
    article = make_article(tenant_a, "Change your delivery address", "Edit it before shipping.")
    customer = make_user(
        tenant_a, User.Role.CUSTOMER, email="mei@example.com", first_name="Mei", email_verified=True
    )
    browser = browser_for(tenant_a)  # not signed in yet: searching and reading anonymously
    assert "1 article found" in browser.get("/search/?q=delivery address").content.decode()
    with tenant_context(tenant_a):
        log = SearchLog.objects.get()
    browser.get(f"{article.get_absolute_url()}?sq={log.pk}")
    with tenant_context(tenant_a):
        browser.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")
    _submit_on_the_help_center(browser, "Parcel went to my old flat", "I moved last week.")
    with tenant_context(tenant_a):
        contact = contact_for_user(user=customer)
        web = Ticket.objects.get(requester=contact)
        # The email pipeline is another part: here the ticket it would open for the same address.
        from kefu.tickets.services.creation import ticket_create

        email = ticket_create(subject="Where is my parcel?", description="Sent by mail.",
                              requester=contact_for_email(email="MEI@example.com"),
                              channel="email")  # fmt: skip
        ticket_reply(ticket=email, author=agent, body="It is on its way.", channel="email")
    assert email.requester_id == contact.pk

    desk = browser_for(tenant_a, agent)
    html = desk.get(f"/desk/contacts/{contact.pk}/").content.decode()
    timeline = html[html.index('id="contact-timeline"') :]
    reply, by_mail, by_web, read, searched = _positions(
        timeline,
        "Reply by Alex Wu (Email)",
        "Opened a ticket (Email)",
        "Opened a ticket (Help center)",
        "Read the article",
        "Searched the help center for “delivery address”",
    )
    assert reply < by_mail < by_web < read < searched  # newest first
    assert f"#{web.pk} Parcel went to my old flat" in timeline
    assert f"#{email.pk} Where is my parcel?" in timeline
    assert re.search(r"1 result\s*</span>", timeline)
    assert "Change your delivery address</a>" in timeline


def test_timeline_has_notes_marked_deflections_guided_answers_and_ratings(
    in_tenant_a, make_article, tenant_a, agent
):
    article = make_article(tenant_a, "Reset your password", "Open settings.")
    contact = contact_for_email(email="kai@example.com", name="Kai")
    contact_visitor_link(contact=contact, visitor_key="kai-visitor-key-0001")
    from kefu.tickets.services.changes import ticket_rate, ticket_status_set
    from kefu.tickets.services.creation import ticket_create

    ticket = ticket_create(subject="Locked out", description="Help", requester=contact)
    ticket_reply(ticket=ticket, author=agent, body="VIP customer", internal=True)
    ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=agent)
    ticket_rate(ticket=ticket, score=4, comment="Quick", contact=contact)
    DeflectionEvent.objects.create(query="forgot password", chosen_article=article,
                                   visitor_key="kai-visitor-key-0001")  # fmt: skip
    GuidedOutcome.objects.create(article=article, labels=["Phone", "Android"], solved=True,
                                 visitor_key="kai-visitor-key-0001")  # fmt: skip
    items = contact_timeline(contact)
    kinds = [item.kind for item in items]
    assert kinds == ["guided", "deflection", "rating", "note", "ticket"]
    assert items[2].score == 4
    assert items[3].text == "VIP customer"
    assert [item.kind for item in contact_timeline(contact, include_internal=False)] == [
        "guided", "deflection", "rating", "ticket"
    ]  # fmt: skip
    assert len(contact_timeline(contact, limit=2)) == 2


def test_other_peoples_help_center_history_stays_off_the_timeline(
    in_tenant_a, make_article, tenant_a
):
    article = make_article(tenant_a, "Shipping times", "Two days.")
    kai = contact_for_email(email="kai@example.com")
    contact_visitor_link(contact=kai, visitor_key="kai-visitor-key-0001")
    SearchLog.objects.create(query="shipping", source="help_center", result_count=1,
                             visitor_key="somebody-else-000001")  # fmt: skip
    ArticleView.objects.create(article=article, visitor_key="somebody-else-000001",
                               day="2026-01-01")  # fmt: skip
    assert contact_timeline(kai) == []


def _history(tenant, contact, agent, article, rounds: int) -> None:
    from kefu.kb.services import article_record_view
    from kefu.tickets.services.creation import ticket_create

    with tenant_context(tenant):
        for index in range(rounds):
            key = f"visitor-key-for-round-{index:04d}"
            contact_visitor_link(contact=contact, visitor_key=key)
            SearchLog.objects.create(query=f"question {index}", source="help_center",
                                     result_count=index, visitor_key=key,
                                     clicked_article=article)  # fmt: skip
            article_record_view(article=article, visitor_key=key)
            ticket = ticket_create(subject=f"Question {index}", description="?", requester=contact,
                                   channel="email" if index % 2 else "web")  # fmt: skip
            ticket_reply(ticket=ticket, author=agent, body="Answer")
            ticket_reply(ticket=ticket, author=agent, body="Note", internal=True)
            TicketRating.objects.create(ticket=ticket, score=5)
            DeflectionEvent.objects.create(query="q", chosen_article=article, contact=contact)
            GuidedOutcome.objects.create(article=article, solved=False, visitor_key=key)


def test_contact_page_query_count_does_not_grow_with_history(
    tenant_a, agent, make_article, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = make_article(tenant_a, "Shipping times", "Two days.")
    with tenant_context(tenant_a):
        contact = contact_for_email(email="kai@example.com", name="Kai")
    desk = browser_for(tenant_a, agent)
    url = f"/desk/contacts/{contact.pk}/"
    _history(tenant_a, contact, agent, article, rounds=2)
    desk.get(url)  # warm the time zone cache
    with CaptureQueriesContext(connection) as small:
        assert desk.get(url).status_code == 200
    _history(tenant_a, contact, agent, article, rounds=8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = desk.get(url)
    assert response.content.decode().count('data-kind="ticket"') == 10
    # Session, user, availability, contact, identities, visitor ids and one query per kind
    # of history (each after a "SET search_path").
    assert len(small.captured_queries) <= 40
