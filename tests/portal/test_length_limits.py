"""Every text a customer types in the help center has a limit (``kefu.core.limits``), and
text past it gets "At most N characters (you wrote M)" next to the field, in both languages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from kefu.core import limits
from kefu.search.models import SearchLog
from kefu.tenancy import tenant_context
from kefu.tickets.errors import TicketError
from kefu.tickets.links import ticket_customer_url
from kefu.tickets.models import SubmissionDraft, Ticket, TicketCategory, TicketField
from kefu.tickets.services.changes import ticket_rate, ticket_status_set
from tests.conftest import host
from tests.tickets.conftest import make_ticket  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

QUESTION = {"subject": "Tea arrived broken", "description": "The box was crushed.",
            "name": "Casey", "email": "casey@example.com"}  # fmt: skip


def test_an_over_long_description_is_refused_with_its_length_in_both_languages(client, tenant_a):
    long = "茶" * (limits.DESCRIPTION + 5)
    response = client.post("/tickets/new/", {**QUESTION, "description": long},
                           HTTP_HOST=host(tenant_a))  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert f"At most {limits.DESCRIPTION} characters (you wrote {limits.DESCRIPTION + 5})." in page
    assert long[:50] in page, "what they wrote is kept in the box"
    chinese = client.post("/tickets/new/", {**QUESTION, "description": long},
                          HTTP_HOST=host(tenant_a), HTTP_ACCEPT_LANGUAGE="zh-CN")  # fmt: skip
    assert f"最多 {limits.DESCRIPTION} 个字符（你写了 {limits.DESCRIPTION + 5} 个）" in (
        chinese.content.decode()
    )
    with tenant_context(tenant_a):
        assert not Ticket.objects.exists()
        assert not SubmissionDraft.objects.exists()


def test_the_description_box_does_not_cut_pasted_text_silently(client, tenant_a):
    page = client.get("/tickets/new/", HTTP_HOST=host(tenant_a)).content.decode()
    textarea = page.split('<textarea name="description"')[1].split(">")[0]
    assert "maxlength" not in textarea


def test_subject_name_and_custom_fields_have_limits(client, tenant_a):
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Orders")
        TicketField.objects.create(category=category, key="story", label="Story",
                                   field_type="long_text")  # fmt: skip
    response = client.post(
        "/tickets/new/",
        {**QUESTION, "subject": "s" * (limits.SUBJECT + 1), "name": "n" * (limits.NAME + 1),
         "category": category.pk, f"cf_{category.pk}_story": "x" * (limits.FIELD_LONG_TEXT + 1)},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    page = response.content.decode()
    assert f"At most {limits.SUBJECT} characters (you wrote {limits.SUBJECT + 1})." in page
    assert f"At most {limits.NAME} characters (you wrote {limits.NAME + 1})." in page
    assert f"(you wrote {limits.FIELD_LONG_TEXT + 1})" in page


def test_an_over_long_reply_is_refused_and_kept_in_the_box(tenant_a, make_ticket):  # noqa: F811
    ticket = make_ticket(tenant_a, "Where is my tea?")
    with tenant_context(tenant_a):
        link = urlsplit(ticket_customer_url(ticket))
    visitor = Client()
    visitor.get(f"{link.path}?{link.query}", HTTP_HOST=host(tenant_a))
    body = "b" * (limits.MESSAGE + 1)
    page = visitor.post(f"/tickets/{ticket.pk}/reply/", {"body": body},
                        HTTP_HOST=host(tenant_a)).content.decode()  # fmt: skip
    assert f"At most {limits.MESSAGE} characters (you wrote {limits.MESSAGE + 1})." in page
    with tenant_context(tenant_a):
        assert ticket.messages.count() == 1


def test_an_over_long_rating_comment_is_refused(tenant_a, make_ticket):  # noqa: F811
    ticket = make_ticket(tenant_a, "Where is my tea?")
    with tenant_context(tenant_a):
        ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=None)
        with pytest.raises(TicketError, match=f"you wrote {limits.COMMENT + 1}"):
            ticket_rate(ticket=ticket, score=4, comment="c" * (limits.COMMENT + 1))
        assert ticket_rate(ticket=ticket, score=4, comment="Fine tea.").comment == "Fine tea."


def test_over_long_searches_are_refused_on_every_search_surface(client, tenant_a):
    query = "q" * (limits.SEARCH_QUERY + 1)
    wrote = f"(you wrote {limits.SEARCH_QUERY + 1})"
    page = client.get("/search/", {"q": query}, HTTP_HOST=host(tenant_a))
    assert page.status_code == 400
    assert wrote in page.content.decode()
    suggest = client.get("/search/suggest/", {"q": query}, HTTP_HOST=host(tenant_a))
    assert suggest.status_code == 400
    assert wrote in suggest.json()["message"]
    widget = client.get("/widget/", {"q": query}, HTTP_HOST=host(tenant_a))
    assert wrote in widget.content.decode()
    api = client.get("/api/v1/search", {"q": query}, HTTP_HOST=host(tenant_a))
    assert api.status_code == 400
    assert wrote in api.json()["error"]["fields"]["q"][0]
    with tenant_context(tenant_a):
        assert not SearchLog.objects.exists()
