"""The desk's ticket page: thread, reply and note, properties, customer panel, actions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.accounts.models import User
from kefu.jobs import TenantActor
from kefu.kb.models import Article
from kefu.tenancy import tenant_context
from kefu.tickets.models import (
    CannedResponse,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketMessage,
    TicketRating,
)
from tests.conftest import host
from tests.desk.ticket_support import make_ticket_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_jobs(monkeypatch) -> list[str]:
    """Names of the jobs sent after commit (recorded instead of queued)."""
    sent: list[str] = []
    monkeypatch.setattr(
        TenantActor, "send_to_schema", lambda actor, schema, *a, **k: sent.append(actor.actor_name)
    )
    return sent


@pytest.fixture
def agent(tenant_a, make_user):
    return make_user(tenant_a, User.Role.AGENT, first_name="Alex", last_name="Wu")


def _page(client, tenant, ticket) -> str:
    response = client.get(f"/desk/tickets/{ticket.pk}/", HTTP_HOST=host(tenant))
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_header_thread_and_internal_notes_distinctly(
    client, tenant_a, login_as, agent, make_ticket
):
    from kefu.tickets.services.thread import ticket_reply

    ticket = make_ticket(tenant_a, "Printer jams", tags=["hardware"], priority="high")
    with tenant_context(tenant_a):
        ticket_reply(ticket=ticket, author=agent, body="Check the tray, please.")
        ticket_reply(ticket=ticket, author=agent, body="Customer is a VIP", internal=True)
    login_as(tenant_a, agent)
    html = _page(client, tenant_a, ticket)
    assert f"#{ticket.pk}</span> Printer jams" in html
    assert "Priority: High" in html
    assert "Private" in html
    assert 'class="tag">hardware' in html
    assert "Check the tray, please." in html
    assert 'class="thread-message internal from-staff"' in html
    assert "Customer is a VIP" in html
    assert "Internal note</span>" in html


def test_public_reply_changes_status_and_is_mailed_to_the_customer(
    client, tenant_a, login_as, agent, make_ticket, sent_jobs, django_capture_on_commit_callbacks
):
    ticket = make_ticket(tenant_a, "Where is my parcel?")
    login_as(tenant_a, agent)
    sent_jobs.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/desk/tickets/{ticket.pk}/reply/",
            {"kind": "public", "body": "It ships today.", "new_status": "pending",
             "attachments": [SimpleUploadedFile("label.pdf", b"%PDF-1.4 label")]},
            HTTP_HOST=host(tenant_a),
        )  # fmt: skip
    assert response.status_code == 302
    assert "kefu.tickets.notifications.notify_customer_reply" in sent_jobs
    with tenant_context(tenant_a):
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.PENDING
        assert ticket.first_responded_at is not None
        reply = ticket.messages.get(body="It ships today.")
        assert reply.kind == TicketMessage.Kind.PUBLIC
        attachment = reply.attachments.get()
    # What the customer can see of the thread: their question and this reply.
    with tenant_context(tenant_a):
        assert ticket.messages.filter(kind="public").count() == 2
    download = client.get(
        f"/desk/tickets/{ticket.pk}/attachments/{attachment.pk}/", HTTP_HOST=host(tenant_a)
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 label"
    assert "attachment" in download["Content-Disposition"]


def test_internal_note_is_not_mailed_and_not_a_first_response(
    client, tenant_a, login_as, agent, make_ticket, sent_jobs, django_capture_on_commit_callbacks
):
    ticket = make_ticket(tenant_a, "Refund please")
    login_as(tenant_a, agent)
    sent_jobs.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/desk/tickets/{ticket.pk}/reply/",
            {"kind": "internal", "body": "Check with finance first", "new_status": "on_hold"},
            HTTP_HOST=host(tenant_a),
        )  # fmt: skip
    assert "kefu.tickets.notifications.notify_customer_reply" not in sent_jobs
    with tenant_context(tenant_a):
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.ON_HOLD
        assert ticket.first_responded_at is None
        assert ticket.messages.filter(kind="public").count() == 1
        assert ticket.messages.get(kind="internal").body == "Check with finance first"


def test_empty_reply_is_refused_with_a_message(client, tenant_a, login_as, agent, make_ticket):
    ticket = make_ticket(tenant_a)
    login_as(tenant_a, agent)
    response = client.post(
        f"/desk/tickets/{ticket.pk}/reply/", {"kind": "public", "body": "  "},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()


def test_canned_responses_are_rendered_for_the_ticket_and_counted_when_sent(
    client, tenant_a, login_as, agent, make_ticket
):
    ticket = make_ticket(tenant_a, "Lost password", requester_email="mei@example.com")
    with tenant_context(tenant_a):
        canned = CannedResponse.objects.create(
            title="Greeting",
            body="Hi {{ customer.name }} ({{customer.email}}), about {{ ticket.reference }} "
            "“{{ ticket.subject }}”. {{ agent.name }} {{ ticket.secret }} {% debug %} "
            "工单 #{{ ticket.number }}",
        )
    login_as(tenant_a, agent)
    response = client.get(f"/desk/tickets/{ticket.pk}/", HTTP_HOST=host(tenant_a))
    [item] = response.context["canned"]
    # One meaning each: the number is bare, the reference carries the "#" (never "##1001").
    assert item["text"] == (
        f"Hi Casey (mei@example.com), about #{ticket.pk} “Lost password”. Alex Wu "
        f"{{{{ ticket.secret }}}} {{% debug %}} 工单 #{ticket.pk}"
    )
    assert 'id="canned-data"' in response.content.decode()
    client.post(
        f"/desk/tickets/{ticket.pk}/reply/",
        {"kind": "public", "body": item["text"], "canned_id": canned.pk},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    with tenant_context(tenant_a):
        canned.refresh_from_db()
        assert canned.usage_count == 1


def test_canned_placeholders_are_not_a_template_engine(tenant_a, make_ticket, agent):
    from kefu.desk.tickets.canned import canned_render

    ticket = make_ticket(tenant_a, "{{ agent.name }} <b>hi</b>")
    with tenant_context(tenant_a):
        text = canned_render("Re: {{ ticket.subject }}", ticket=ticket, agent=agent)
    # Substituted once, as plain text: a placeholder inside the customer's text stays as is.
    assert text == "Re: {{ agent.name }} <b>hi</b>"


def test_properties_change_status_priority_category_tags_and_visibility(
    client, tenant_a, login_as, agent, make_ticket
):
    ticket = make_ticket(tenant_a)
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Hardware")
    login_as(tenant_a, agent)
    response = client.post(
        f"/desk/tickets/{ticket.pk}/properties/",
        {"status": "open", "priority": "urgent", "category": category.pk,
         "tags": "fire, Printer", "is_public": "on"},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert "Ticket updated." in html
    assert "changed the priority from Normal to Urgent" in html
    assert "changed the category from none to Hardware" in html
    with tenant_context(tenant_a):
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority, ticket.category_id) == (
            "open",
            "urgent",
            category.pk,
        )
        assert ticket.tags == ["fire", "printer"]
        assert ticket.is_public is True


def test_only_admins_assign_from_the_properties_form(
    client, tenant_a, login_as, agent, make_user, make_ticket
):
    admin = make_user(tenant_a, User.Role.ADMIN)
    ticket = make_ticket(tenant_a)
    base = {"status": "new", "priority": "normal", "tags": ""}
    login_as(tenant_a, agent)
    page = client.get(f"/desk/tickets/{ticket.pk}/", HTTP_HOST=host(tenant_a))
    assert "assignee" not in page.context["properties_form"].fields
    client.post(
        f"/desk/tickets/{ticket.pk}/properties/", {**base, "assignee": agent.pk},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).assignee_id is None  # ignored for agents
    login_as(tenant_a, admin)
    response = client.post(
        f"/desk/tickets/{ticket.pk}/properties/", {**base, "assignee": agent.pk},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    assert "assigned the ticket to Alex Wu" in response.content.decode()
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).assignee_id == agent.pk


def test_agent_takes_and_hands_back_when_the_workspace_allows(
    client, tenant_a, login_as, agent, make_ticket
):
    from kefu.desk.models import WorkspaceSettings

    ticket = make_ticket(tenant_a)
    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update_or_create(pk=1, defaults={"agents_pick_from_queue": False})
    login_as(tenant_a, agent)
    url = f"/desk/tickets/{ticket.pk}/properties/"
    response = client.post(url, {"take": "1"}, HTTP_HOST=host(tenant_a), follow=True)
    assert "Tickets are assigned by routing; ask an admin to assign this one." in (
        response.content.decode()
    )
    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update_or_create(pk=1, defaults={"agents_pick_from_queue": True})
    response = client.post(url, {"take": "1"}, HTTP_HOST=host(tenant_a), follow=True)
    assert "The ticket is yours." in response.content.decode()
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).assignee_id == agent.pk
    client.post(url, {"release": "1"}, HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).assignee_id is None


def test_customer_panel_shows_timeline_and_self_service_trail(
    client, tenant_a, login_as, agent, make_ticket
):
    older = make_ticket(tenant_a, "Old question", requester_email="li@example.com")
    with tenant_context(tenant_a):
        Ticket.objects.filter(pk=older.pk).update(status="resolved")
        TicketRating.objects.create(ticket=older, score=4, comment="Quick help")
    trail = [
        {"kind": "search", "query": "reset password", "at": "2026-11-01T10:00:00+00:00"},
        {"kind": "article", "title": "Resetting your password", "id": 7,
         "at": "2026-11-01T10:01:00+00:00"},
    ]  # fmt: skip
    ticket = make_ticket(
        tenant_a, "Still locked out", requester_email="li@example.com", self_service_trail=trail
    )
    make_ticket(tenant_a, "Someone else's", requester_email="other@example.com")
    login_as(tenant_a, agent)
    response = client.get(f"/desk/tickets/{ticket.pk}/", HTTP_HOST=host(tenant_a))
    html = response.content.decode()
    assert "Tried self-service" in html
    assert "Searched “reset password”" in html
    assert 'Read <a href="/desk/articles/7/">Resetting your password</a>' in html
    timeline = response.context["timeline"]
    assert [(entry.kind, entry.ticket.pk) for entry in timeline] == [
        ("rating", older.pk), ("ticket", older.pk)
    ]  # fmt: skip
    assert f"Rated #{older.pk}: 4 of 5" in html
    assert "Someone else" not in html


def test_follow_and_unfollow(client, tenant_a, login_as, agent, make_ticket):
    ticket = make_ticket(tenant_a)
    login_as(tenant_a, agent)
    url = f"/desk/tickets/{ticket.pk}/follow/"
    client.post(url, {"follow": "1"}, HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert ticket.followers.filter(pk=agent.pk).exists()
    response = client.post(url, {"follow": "0"}, HTTP_HOST=host(tenant_a), follow=True)
    assert "You no longer follow this ticket." in response.content.decode()
    with tenant_context(tenant_a):
        assert not ticket.followers.filter(pk=agent.pk).exists()


def test_merge_moves_the_thread_into_the_target(client, tenant_a, login_as, agent, make_ticket):
    duplicate = make_ticket(tenant_a, "Printer broken (again)")
    target = make_ticket(tenant_a, "Printer broken")
    login_as(tenant_a, agent)
    response = client.post(
        f"/desk/tickets/{duplicate.pk}/merge/", {"target": f"#{target.pk}"},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0] == f"/desk/tickets/{target.pk}/"
    html = response.content.decode()
    assert f"Ticket #{duplicate.pk} was merged into this one." in html
    assert "Printer broken (again). Please help." in html
    with tenant_context(tenant_a):
        duplicate.refresh_from_db()
        assert duplicate.merged_into_id == target.pk
        assert duplicate.status == Ticket.Status.CLOSED


def test_merge_into_an_unknown_or_same_ticket_is_refused(
    client, tenant_a, login_as, agent, make_ticket
):
    ticket = make_ticket(tenant_a)
    login_as(tenant_a, agent)
    refusals = [
        ("99999", "There is no ticket with that number."),
        (str(ticket.pk), "A ticket cannot be merged into itself."),
    ]
    for target, message in refusals:
        response = client.post(
            f"/desk/tickets/{ticket.pk}/merge/", {"target": target},
            HTTP_HOST=host(tenant_a), follow=True,
        )  # fmt: skip
        assert message in response.content.decode()
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_split_moves_chosen_messages_to_a_new_ticket(
    client, tenant_a, login_as, agent, make_ticket
):
    from kefu.tickets.services.thread import ticket_reply

    ticket = make_ticket(tenant_a, "Two problems")
    with tenant_context(tenant_a):
        second = ticket_reply(
            ticket=ticket, author=None, author_contact=ticket.requester, body="Also my scanner"
        )
    login_as(tenant_a, agent)
    html = _page(client, tenant_a, ticket)
    assert 'form="split-form"' in html
    response = client.post(
        f"/desk/tickets/{ticket.pk}/split/", {"message": [second.pk], "subject": "Scanner"},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    with tenant_context(tenant_a):
        new = Ticket.objects.get(split_from=ticket)
        assert new.subject == "Scanner"
        assert list(new.messages.values_list("body", flat=True)) == ["Also my scanner"]
        assert ticket.messages.count() == 1
    assert response.redirect_chain[-1][0] == f"/desk/tickets/{new.pk}/"
    assert f"split from #{ticket.pk}" in response.content.decode()


def test_publish_a_resolved_ticket_opens_the_draft_article(
    client, tenant_a, login_as, agent, make_ticket
):
    from kefu.tickets.services.thread import ticket_reply

    ticket = make_ticket(tenant_a, "How do I export invoices?")
    login_as(tenant_a, agent)
    refused = client.post(
        f"/desk/tickets/{ticket.pk}/publish/", HTTP_HOST=host(tenant_a), follow=True
    )
    assert "Resolve the ticket before publishing its answer." in refused.content.decode()
    assert 'id="publish-form"' not in refused.content.decode()
    with tenant_context(tenant_a):
        ticket_reply(
            ticket=ticket, author=agent, body="Billing → Export → CSV.", new_status="resolved"
        )
    assert 'id="publish-form"' in _page(client, tenant_a, ticket)
    response = client.post(f"/desk/tickets/{ticket.pk}/publish/", HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        article = Article.objects.get(source_ticket=ticket)
        assert article.status == Article.Status.DRAFT
        assert "Billing → Export → CSV." in article.body
        assert ticket.events.filter(kind=TicketEvent.Kind.PUBLISHED).exists()
    assert response.status_code == 302
    assert response.url == f"/desk/articles/{article.pk}/"
    editor = client.get(response.url, HTTP_HOST=host(tenant_a))
    assert "A draft article was made from ticket" in editor.content.decode()
