"""Submitting a request in the help center: answers first, the held submission, the form."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from kefu.search.models import LearnedPhrasing
from kefu.tenancy import tenant_context
from kefu.tickets.models import (
    DeflectionEvent,
    SubmissionDraft,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketField,
)
from kefu.tickets.services.changes import ticket_status_set
from tests.conftest import host
from tests.tickets.conftest import make_ticket  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

QUESTION = {
    "subject": "Cannot reset my password",
    "description": "The reset password email never arrives.",
    "name": "Casey",
    "email": "casey@example.com",
}


def _password_article(make_article, tenant):
    return make_article(
        tenant, "Reset your password", "Open Settings, choose Reset password, follow the email."
    )


def _held_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "/tickets/held/" in response["Location"]
    return response["Location"]


def test_the_form_renders_every_field_type_and_the_suggestion_area(client, tenant_a):
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Orders")
        for key, kind in (("note", "text"), ("story", "long_text"), ("order", "number"),
                          ("bought", "date"), ("size", "choice"), ("colours", "multi_choice"),
                          ("receipt", "file")):  # fmt: skip
            TicketField.objects.create(category=category, key=key, label=key.title(),
                                       field_type=kind, choices=["S", "M"])  # fmt: skip
    page = client.get("/tickets/new/", HTTP_HOST=host(tenant_a)).content.decode()
    name = f"cf_{category.pk}_"
    assert f'<input id="id_{name}note" name="{name}note" value="" type="text"' in page
    assert f'<textarea id="id_{name}story"' in page
    assert 'type="number" step="any"' in page
    assert 'type="date"' in page
    assert f'<select id="id_{name}size"' in page
    assert f'type="checkbox" name="{name}colours" value="M"' in page
    assert f'name="{name}receipt" type="file"' in page
    assert f'data-category="{category.pk}"' in page
    assert 'name="attachments" type="file" multiple' in page
    assert 'aria-live="polite"' in page
    assert "portal/ticket_form.js" in page
    assert 'name="email"' in page, "anonymous visitors give an email address"


def test_yes_solved_records_the_deflection_and_creates_no_ticket(client, tenant_a, make_article):
    article = _password_article(make_article, tenant_a)
    held = _held_url(client.post("/tickets/new/", QUESTION, HTTP_HOST=host(tenant_a)))
    page = client.get(held, HTTP_HOST=host(tenant_a)).content.decode()
    assert "Does one of these answer your question?" in page
    assert "Reset your password" in page
    assert "<mark>" in page
    assert 'target="_blank"' in page

    response = client.post(held + "solved/", {"article_id": article.pk}, HTTP_HOST=host(tenant_a))
    assert response.status_code == 302
    page = client.get(response["Location"], HTTP_HOST=host(tenant_a)).content.decode()
    assert "Glad that helped!" in page
    with tenant_context(tenant_a):
        assert not Ticket.objects.exists()
        event = DeflectionEvent.objects.get()
        assert event.query == "Cannot reset my password\nThe reset password email never arrives."
        assert event.shown[0] == {"type": "article", "id": article.pk, "title": article.title}
        assert event.chosen_article == article
        assert event.source == "ticket_form"
        assert event.contact.email == "casey@example.com"
        assert event.visitor_key
        assert SubmissionDraft.objects.get().deflection == event
        assert LearnedPhrasing.objects.filter(article=article).exists(), "the wording is learned"
    # Saying "solved" again does not count twice.
    client.post(held + "solved/", {"article_id": article.pk}, HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert DeflectionEvent.objects.count() == 1


def test_no_submit_creates_the_ticket_once_with_trail_and_files(client, tenant_a, make_article):
    article = _password_article(make_article, tenant_a)
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Account")
        TicketField.objects.create(category=category, key="device", label="Device",
                                   field_type="choice", choices=["iPhone", "Android"])  # fmt: skip
        TicketField.objects.create(category=category, key="proof", label="Screenshot",
                                   field_type="file", required=True)  # fmt: skip
    client.get("/search/?q=password", HTTP_HOST=host(tenant_a))
    client.get(article.get_absolute_url(), HTTP_HOST=host(tenant_a))
    form = {
        **QUESTION,
        "category": category.pk,
        f"cf_{category.pk}_device": "Android",
        f"cf_{category.pk}_proof": SimpleUploadedFile(
            "proof.png", b"png", content_type="image/png"
        ),
        "attachments": [SimpleUploadedFile("log.txt", b"log 1"), SimpleUploadedFile("b.txt", b"2")],
    }
    held = _held_url(client.post("/tickets/new/", form, HTTP_HOST=host(tenant_a)))
    with tenant_context(tenant_a):
        assert not Ticket.objects.exists()
        assert TicketAttachment.objects.filter(draft__isnull=False, ticket=None).count() == 3

    response = client.post(held + "submit/", HTTP_HOST=host(tenant_a))
    assert response.status_code == 302
    again = client.post(held + "submit/", HTTP_HOST=host(tenant_a))
    assert again["Location"] == response["Location"], "a double submit shows the same ticket"
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get()
        assert response["Location"] == f"/tickets/{ticket.pk}/"
        assert ticket.tried_self_service
        kinds = [item["kind"] for item in ticket.self_service_trail]
        assert kinds == ["search", "article"]
        assert ticket.self_service_trail[1]["title"] == "Reset your password"
        assert ticket.fields == {"device": "Android", "proof": "proof.png"}
        assert ticket.requester.email == "casey@example.com"
        first = ticket.messages.get()
        assert sorted(a.filename for a in first.attachments.all()) == ["b.txt", "log.txt"]
        assert ticket.attachments.get(field_key="proof").filename == "proof.png"
        assert not TicketAttachment.objects.filter(draft__isnull=False).exists()
    page = client.get(response["Location"], HTTP_HOST=host(tenant_a)).content.decode()
    assert f"Thanks! Your request #{ticket.number} was sent to our team." in page
    assert "Cannot reset my password" in page
    assert "log.txt" in page


def test_without_good_answers_the_ticket_is_created_directly(client, tenant_a, make_user, login_as):
    customer = make_user(tenant_a, "customer", first_name="Lee")
    login_as(tenant_a, customer)
    response = client.post(
        "/tickets/new/",
        {"subject": "Invoice address", "description": "Please change the VAT number."},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/tickets/")
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get()
        assert ticket.requester.user == customer
        assert not ticket.tried_self_service
        assert not SubmissionDraft.objects.exists()
    assert response["Location"] == f"/tickets/{ticket.pk}/"


def test_errors_show_next_to_the_fields_and_keep_the_input(client, tenant_a, make_article):
    _password_article(make_article, tenant_a)
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Orders")
        TicketField.objects.create(category=category, key="order", label="Order number",
                                   field_type="number", required=True)  # fmt: skip
        TicketField.objects.create(category=category, key="size", label="Size",
                                   field_type="choice", choices=["S", "M"])  # fmt: skip
    form = {**QUESTION, "email": "not-an-email", "category": category.pk,
            f"cf_{category.pk}_order": "forty-two", f"cf_{category.pk}_size": "XXL"}  # fmt: skip
    response = client.post("/tickets/new/", form, HTTP_HOST=host(tenant_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="cf_{category.pk}_order-error">Enter a number.' in page
    assert "“XXL” is not one of the choices." in page
    assert "Enter a valid email address." in page
    assert 'value="forty-two"' in page
    assert 'value="Cannot reset my password"' in page
    assert "The reset password email never arrives.</textarea>" in page
    assert f'<option value="{category.pk}" selected>' in page
    with tenant_context(tenant_a):
        assert not SubmissionDraft.objects.exists()
        assert not Ticket.objects.exists()


def test_another_visitor_cannot_use_a_held_submission(client, tenant_a, make_article):
    article = _password_article(make_article, tenant_a)
    held = _held_url(client.post("/tickets/new/", QUESTION, HTTP_HOST=host(tenant_a)))
    other = Client()
    assert other.get(held, HTTP_HOST=host(tenant_a)).status_code == 404
    assert other.post(held + "submit/", HTTP_HOST=host(tenant_a)).status_code == 404
    response = other.post(held + "solved/", {"article_id": article.pk}, HTTP_HOST=host(tenant_a))
    assert response.status_code == 404
    # Nor on another workspace's host.
    assert client.get(held, HTTP_HOST="beta.localhost").status_code == 404
    with tenant_context(tenant_a):
        assert not Ticket.objects.exists()
        assert not DeflectionEvent.objects.exists()


def test_submit_after_solving_sends_it_once(client, tenant_a, make_article):
    article = _password_article(make_article, tenant_a)
    held = _held_url(client.post("/tickets/new/", QUESTION, HTTP_HOST=host(tenant_a)))
    client.post(held + "solved/", {"article_id": article.pk}, HTTP_HOST=host(tenant_a))
    client.post(held + "submit/", HTTP_HOST=host(tenant_a))
    client.post(held + "submit/", HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert Ticket.objects.count() == 1


def test_suggest_returns_articles_and_answered_tickets_of_this_workspace(
    client,
    tenant_a,
    tenant_b,
    make_article,
    make_ticket,  # noqa: F811
):
    make_article(tenant_a, "Refund policy", "Refunds take five days.")
    make_article(tenant_b, "Refund rules at beta", "Refunds at beta.")
    answered = make_ticket(tenant_a, "Refund not received", is_public=True)
    make_ticket(tenant_a, "Refund question still open", is_public=True)
    make_ticket(tenant_a, "Private refund problem", is_public=False)
    beta_ticket = make_ticket(tenant_b, "Refund not received at beta", is_public=True)
    for tenant, ticket in ((tenant_a, answered), (tenant_b, beta_ticket)):
        with tenant_context(tenant):
            ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=None)
    data = client.get("/tickets/suggest/?q=refund", HTTP_HOST=host(tenant_a)).json()
    assert [a["title"] for a in data["articles"]] == ["Refund policy"]
    assert data["articles"][0]["url"].startswith("/articles/")
    assert data["tickets"] == [
        {"number": answered.number, "subject": "Refund not received",
         "url": f"/tickets/{answered.pk}/"}
    ]  # fmt: skip


def test_suggest_understands_chinese(client, tenant_a, make_article):
    make_article(
        tenant_a, "如何重置密码", "打开设置，点击“重置密码”，按照邮件操作。", language="zh-hans"
    )
    for query in ("忘记密码怎么办", "重置密码"):
        data = client.get(f"/tickets/suggest/?q={query}", HTTP_HOST=host(tenant_a)).json()
        assert [a["title"] for a in data["articles"]] == ["如何重置密码"], query


@override_settings(KEFU_TICKET_SUBMIT_LIMIT_PER_IP="2/3600")
def test_submissions_are_rate_limited_per_address(client, tenant_a):
    form = {**QUESTION, "subject": "Invoice address", "description": "Change the VAT number."}
    for _ in range(2):
        assert client.post("/tickets/new/", form, HTTP_HOST=host(tenant_a)).status_code == 302
    response = client.post("/tickets/new/", form, HTTP_HOST=host(tenant_a))
    assert response.status_code == 429
    assert "Too many requests from your network." in response.content.decode()
    assert 'value="Invoice address"' in response.content.decode(), "what was typed is kept"
    with tenant_context(tenant_a):
        assert Ticket.objects.count() == 2
