"""A contact's language, learned from what they write when nobody has said it."""

from __future__ import annotations

import pytest

from kefu.contacts.models import Contact
from kefu.contacts.services import contact_for_email, contact_update, language_guess
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from kefu.tickets.services.thread import ticket_reply
from tests.conftest import host
from tests.messaging.conftest import deliver  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我的包裹还没到，订单号 A1001，请帮忙查一下。", "zh-hans"),
        ("请问 Longjing tea 什么时候发货？", "zh-hans"),
        ("My parcel has not arrived yet, can you check order A1001?", "en"),
        ("> 我们已收到您的请求\nThanks, it arrived today. All good now!", "en"),  # quote left out
        ("ok", ""),  # too little to tell
        ("A1001 ??? 123", ""),
        ("Hello 你好 there my friend how are you doing today", ""),  # too mixed
    ],
)
def test_language_is_guessed_from_the_share_of_chinese_characters(text, language):
    assert language_guess(text) == language


def test_a_chinese_email_teaches_the_contact_chinese(tenant_a, deliver):  # noqa: F811
    inbound = deliver(tenant_a, "gb2312")
    with tenant_context(tenant_a):
        contact = Ticket.objects.get(pk=inbound.ticket_id).requester
        assert (contact.language, contact.language_detected) == ("zh-hans", True)


def test_a_portal_ticket_and_replies_fill_an_unknown_language_but_never_replace_one(
    in_tenant_a, open_ticket, agent, tenant_a
):
    unknown = contact_for_email(email="wang@example.com", name="王先生")
    ticket = open_ticket(
        tenant_a, unknown, "茶叶什么时候发货", description="我上周下的订单还没有发货。"
    )
    unknown.refresh_from_db()
    assert (unknown.language, unknown.language_detected) == ("zh-hans", True)

    # Known already (their account, an agent, or an earlier guess): what they write changes
    # nothing, and an agent's words never teach the customer's language.
    ticket_reply(ticket=ticket, author=None, author_contact=unknown,
                 body="Sorry, one more question about the shipping date of my order.")  # fmt: skip
    unknown.refresh_from_db()
    assert unknown.language == "zh-hans"

    english = contact_for_email(email="li@example.com", name="Li", language="en")
    open_ticket(tenant_a, english, "发票", description="请给我开一张发票，谢谢。")
    english.refresh_from_db()
    assert (english.language, english.language_detected) == ("en", False)

    silent = contact_for_email(email="zhao@example.com")
    staff_ticket = open_ticket(tenant_a, silent, "Question", description="Hi")
    ticket_reply(ticket=staff_ticket, author=agent, body="您好，我们已经收到您的问题，马上处理。")
    silent.refresh_from_db()
    assert silent.language == ""


def test_an_agent_keeps_or_changes_a_guess_and_the_contact_page_says_which(
    in_tenant_a, open_ticket, agent, tenant_a, client, login_as
):
    contact = contact_for_email(email="wang@example.com", name="王先生")
    open_ticket(tenant_a, contact, "茶叶什么时候发货", description="我上周下的订单还没有发货。")
    contact.refresh_from_db()
    login_as(tenant_a, agent)
    page = client.get(f"/desk/contacts/{contact.pk}/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Simplified Chinese" in page
    assert "detected from their messages" in page

    contact_update(contact=contact, name="王先生", language="zh-hans", tier="premium", actor=agent)
    assert Contact.objects.get(pk=contact.pk).language_detected is True  # untouched: still a guess
    contact_update(contact=contact, name="王先生", language="en", tier="premium", actor=agent)
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.language, contact.language_detected) == ("en", False)
    page = client.get(f"/desk/contacts/{contact.pk}/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "detected from their messages" not in page
