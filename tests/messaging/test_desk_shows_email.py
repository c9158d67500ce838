"""Agents read an email as sent: its formatted version (sanitised) and the quoted part apart."""

from __future__ import annotations

from kefu.accounts.models import User
from tests.conftest import host


def test_html_email_is_shown_formatted_and_safe_in_the_desk(
    client, tenant_a, make_user, login_as, deliver
):
    inbound = deliver(tenant_a, "html_only")
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    page = client.get(f"/desk/tickets/{inbound.ticket_id}/", HTTP_HOST=host(tenant_a))
    html = page.content.decode()
    formatted = html[html.index('class="message-html"') :]
    formatted = formatted[: formatted.index("</details>")]
    assert "<b>invoice</b>" in formatted
    assert 'href="https://shop.example.com/invoice/77"' in formatted
    for dangerous in ("<script", "onclick", "onmouseover", "javascript:", "tracker.example.net"):
        assert dangerous not in formatted


def test_quoted_text_is_kept_apart_from_the_new_words(
    client, tenant_a, make_user, login_as, deliver
):
    inbound = deliver(tenant_a, "quoted_reply")
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    html = client.get(f"/desk/tickets/{inbound.ticket_id}/", HTTP_HOST=host(tenant_a)).content
    page = html.decode()
    assert 'class="message-quoted"' in page
    body = page[page.index('class="message-body"') :]
    body = body[: body.index("</div>")]
    assert "wrote:" not in body
