"""The core loop in a real browser: a customer on the demo help center tries to ask, is
answered by an article (deflected), asks something else; routing gives it to the agent with the
right skill; the agent replies from the desk; the customer sees the reply and the promised time,
rates it; the agent publishes the answer to the knowledge base as a draft."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import demo_shell

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PASSWORD = "journey password 2026"


@pytest.fixture
def support_team(demo):
    """The demo's agent keeps account questions; a second agent, online, has billing."""
    demo_shell(
        f"""
from kefu.accounts.models import User
from kefu.accounts.services import user_create
from kefu.tickets.models import AgentProfile, SkillGroup
for email in ("customer@demo.example", "agent@demo.example"):
    user = User.objects.get(email=email)
    user.set_password({PASSWORD!r})
    user.save()
billing = user_create(email="billing@demo.example", password={PASSWORD!r}, role="agent",
                      email_verified=True, first_name="Bella")
profile = AgentProfile.objects.create(user=billing, availability="online")
profile.skill_groups.set(SkillGroup.objects.filter(name__startswith="Billing"))
AgentProfile.objects.get(user__email="agent@demo.example").skill_groups.set(
    SkillGroup.objects.filter(name__startswith="Accounts"))
"""
    )
    return demo


def _sign_in(page, demo, email: str) -> None:
    page.goto(demo.url("/accounts/login/", host="demo.localhost"))
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    page.wait_for_load_state()


def _tickets() -> list[dict]:
    return json.loads(
        demo_shell(
            """
import json
from kefu.tickets.models import Ticket, DeflectionEvent
print(json.dumps({
    "tickets": [[t.pk, t.subject, t.assignee.email if t.assignee else None,
                 t.tried_self_service, len(t.self_service_trail)]
                for t in Ticket.objects.order_by("pk")],
    "deflections": [[d.query, d.chosen_article.title if d.chosen_article else None, len(d.shown)]
                    for d in DeflectionEvent.objects.all()],
}))
"""
        ).splitlines()[-1]
    )


def test_deflect_then_ask_then_answer_rate_and_publish(support_team, browser, screenshot):  # noqa: PLR0915 - one journey
    from playwright.sync_api import expect

    demo = support_team
    customer = browser.new_context(locale="en-US").new_page()
    _sign_in(customer, demo, "customer@demo.example")

    # Reading an article first marks the customer as having tried self-service.
    customer.goto(demo.url("/search/?q=change+plan", host="demo.localhost"))
    customer.click("#search-results li >> nth=0 >> a")
    expect(customer.locator("article h1")).to_have_text("Can I change my plan at any time?")
    customer.click("#contact-support")

    # 1. A question the knowledge base answers: suggestions while typing, then "Yes, solved".
    expect(customer.locator("#ticket-form")).to_be_visible()
    customer.fill("#id_subject", "")
    customer.type("#id_subject", "How do I reset my password?", delay=10)
    expect(customer.locator("#suggested-articles")).to_contain_text("How do I reset my password?")
    screenshot(customer, "ticket-form-suggestions")
    customer.fill("#id_description", "I forgot my password and cannot sign in.")
    customer.select_option("#id_category", label="Account 账户与登录")
    customer.click("#ticket-submit")
    expect(customer.locator("h1")).to_have_text("Does one of these answer your question?")
    expect(customer.locator("#held-answers")).to_contain_text("How do I reset my password?")
    screenshot(customer, "ticket-deflection-interstitial")
    customer.locator("#held-answers li", has_text="How do I reset my password?").locator(
        "button"
    ).click()
    expect(customer.locator("#deflection-solved")).to_be_visible()
    state = _tickets()
    assert state["tickets"] == [], "a deflected request creates no ticket"
    assert state["deflections"][0][1] == "How do I reset my password?"
    assert state["deflections"][0][2] >= 1

    # 2. A question it does not answer: the ticket goes to the billing agent.
    customer.goto(demo.url("/tickets/new/", host="demo.localhost"))
    customer.fill("#id_subject", "Invoice shows the wrong company name")
    customer.fill("#id_description", "Our invoice for November says Acme Ltd instead of Acme GmbH.")
    customer.select_option("#id_category", label="Billing 账单")
    customer.locator("input[name$='_invoice']").fill("INV-2026-11-042")
    customer.click("#ticket-submit")
    if customer.locator("#held-submit").count():
        customer.click("#held-submit button")
    expect(customer.locator("#ticket-status")).to_be_visible()
    expect(customer.locator("#promised")).to_be_visible()
    screenshot(customer, "ticket-submitted")
    [ticket] = _tickets()["tickets"]
    number, subject, assignee, tried, trail = ticket
    assert subject == "Invoice shows the wrong company name"
    assert assignee == "billing@demo.example", "routed by skill to the billing agent"
    assert tried is True, "the customer read an article before asking"
    assert trail >= 2

    # 3. The agent replies from the desk.
    agent = browser.new_context(locale="en-US").new_page()
    _sign_in(agent, demo, "billing@demo.example")
    agent.goto(demo.url(f"/desk/tickets/{number}/", host="demo.localhost"))
    expect(agent.locator("#self-service-trail")).to_contain_text("Can I change my plan")
    agent.fill("#reply-body", "Sorry about that! We reissued the invoice as Acme GmbH.")
    agent.click("#reply-send")
    expect(agent.locator("#thread")).to_contain_text("We reissued the invoice as Acme GmbH.")
    screenshot(agent, "desk-ticket-replied")

    # 4. The customer sees the reply and the deadline, says it is solved and rates it.
    customer.goto(demo.url(f"/tickets/{number}/", host="demo.localhost"))
    expect(customer.locator("#thread")).to_contain_text("We reissued the invoice as Acme GmbH.")
    expect(customer.locator("#promised")).to_contain_text("We aim to resolve this by")
    customer.click("#close-form button")
    customer.check("#survey input[name=score][value='5']")
    customer.fill("#id_comment", "Quick and friendly.")
    customer.click("#survey button[type=submit]")
    expect(customer.locator("#current-rating")).to_contain_text("5")
    screenshot(customer, "ticket-rated")

    # 5. The agent publishes the answer to the knowledge base as a draft.
    agent.goto(demo.url(f"/desk/tickets/{number}/", host="demo.localhost"))
    agent.click("#publish-form button")
    expect(agent.locator("input[name=title]")).to_have_value("Invoice shows the wrong company name")
    expect(agent.locator("select[name=status]")).to_have_value("draft")
    expect(agent.locator("textarea[name=body]")).to_contain_text("Acme GmbH")
    screenshot(agent, "desk-published-draft")
