"""One customer, two channels, one timeline: a signed-in customer searches the help center and
opens a web ticket, then writes in by email; the agent sees all of it, in order, on the contact's
page in the desk (real browser, real server and worker, real `kefu ingest_email`)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import demo_shell
from tests.helpers import run_kefu

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PASSWORD = "timeline password 2026"

EMAIL = (
    b"""From: Demo Customer <customer@demo.example>
To: support@demo.localhost
Subject: =?utf-8?b?5Y+R56Wo5oqs5aS06ZSZ5LqG?=
Message-ID: <timeline-journey-1@demo.example>
Date: Tue, 24 Nov 2026 10:00:00 +0800
MIME-Version: 1.0
Content-Type: text/plain; charset=gb2312
Content-Transfer-Encoding: 8bit

"""
    + "发票抬头写错了，应该是演示科技有限公司。".encode("gb2312")
    + b"\n"
)


def _sign_in(page, demo, email: str) -> None:
    page.goto(demo.url("/accounts/login/", host="demo.localhost"))
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    page.wait_for_load_state()


def test_contact_timeline_shows_search_web_ticket_and_email_ticket_in_order(
    demo, browser, screenshot, tmp_path
):
    from playwright.sync_api import expect

    demo_shell(
        f"""
from kefu.accounts.models import User
for email in ("customer@demo.example", "agent@demo.example"):
    user = User.objects.get(email=email)
    user.set_password({PASSWORD!r})
    user.save()
"""
    )
    customer = browser.new_context(locale="en-US").new_page()
    _sign_in(customer, demo, "customer@demo.example")
    customer.goto(demo.url("/search/?q=change+my+plan", host="demo.localhost"))
    expect(customer.locator("#search-results li").first).to_contain_text("change my plan")
    customer.goto(demo.url("/tickets/new/", host="demo.localhost"))
    customer.fill("#id_subject", "Upgrade did not unlock the reports")
    customer.fill("#id_description", "I upgraded this morning but reports are still locked.")
    customer.click("#ticket-submit")
    if customer.locator("#held-submit").count():
        customer.click("#held-submit button")
    expect(customer.locator("#ticket-status")).to_be_visible()

    eml = tmp_path / "invoice.eml"
    eml.write_bytes(EMAIL)
    result = run_kefu("ingest_email", str(eml), "--tenant", "demo")
    assert result.returncode == 0, result.stderr
    assert '"status": "processed"' in result.stdout

    agent = browser.new_context(locale="en-US").new_page()
    _sign_in(agent, demo, "agent@demo.example")
    agent.goto(demo.url("/desk/contacts/?q=customer%40demo.example", host="demo.localhost"))
    agent.click("#contact-table tbody tr >> nth=0 >> a")
    timeline = agent.locator("#contact-timeline")
    expect(timeline).to_contain_text("发票抬头写错了")
    text = timeline.inner_text()
    email_at = text.index("发票抬头写错了")
    web_at = text.index("Upgrade did not unlock the reports")
    search_at = text.index("change my plan")
    assert email_at < web_at < search_at, "newest first: email, then web ticket, then search"
    assert "Email" in text[:web_at]
    screenshot(agent, "desk-contact-timeline")
