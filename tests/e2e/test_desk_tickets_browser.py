"""The ticket desk in a real browser: keyboard shortcuts, the canned response picker, and the
notice that another agent is replying (two agents, two browsers)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import delete_demo, run_kefu

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
PASSWORD = "desk e2e password 42"

SEED = f"""
import json
from kefu.core.demo import demo_seed
from kefu.tenancy import tenant_context
from tenants.models import Tenant
demo_seed()
with tenant_context(Tenant.objects.get(slug="demo")):
    from kefu.accounts.services import user_create
    from kefu.contacts.services import contact_for_email
    from kefu.tickets.models import CannedResponse
    from kefu.tickets.services.creation import ticket_create
    for email, first in (("alex@desk.example", "Alex"), ("bo@desk.example", "Bo")):
        user_create(email=email, password={PASSWORD!r}, role="agent", first_name=first)
    CannedResponse.objects.create(
        title="Greeting", body="Hello {{{{ customer.name }}}}, about {{{{ ticket.reference }}}}:"
    )
    requester = contact_for_email(email="mei@desk.example", name="Mei")
    first = ticket_create(subject="Printer on fire", description="Help!", requester=requester)
    second = ticket_create(subject="Scanner smokes", description="Help!", requester=requester)
    print(json.dumps([first.pk, second.pk]))
"""


@pytest.fixture
def desk(live_kefu):
    result = run_kefu("shell", "-c", SEED)
    assert result.returncode == 0, result.stderr
    tickets = json.loads(result.stdout.strip().splitlines()[-1])
    yield live_kefu, tickets
    delete_demo()


def _sign_in(browser, live_kefu, email: str):
    page = browser.new_context(locale="en-US").new_page()
    page.goto(live_kefu.url("/accounts/login/", host="demo.localhost"))
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/desk/**")
    return page


def test_shortcuts_canned_insert_and_presence(desk, browser, screenshot):
    from playwright.sync_api import expect

    live_kefu, (first, _second) = desk
    alex = _sign_in(browser, live_kefu, "alex@desk.example")
    alex.goto(live_kefu.url("/desk/tickets/", host="demo.localhost"))
    expect(alex.locator("#builtin-views")).to_contain_text("All open")
    screenshot(alex, "desk-ticket-list")
    alex.keyboard.press("j")
    alex.keyboard.press("j")
    expect(alex.locator("tr.ticket-row.selected")).to_have_count(1)
    alex.keyboard.press("?")
    expect(alex.locator("#shortcut-help")).to_be_visible()
    screenshot(alex, "desk-ticket-list-shortcuts")
    alex.keyboard.press("Escape")
    expect(alex.locator("#shortcut-help")).to_be_hidden()
    alex.keyboard.press("o")
    alex.wait_for_url(f"**/desk/tickets/{first}/")

    alex.keyboard.press("n")
    expect(alex.locator("#reply-kind-internal")).to_be_checked()
    expect(alex.locator("#reply-body")).to_be_focused()
    alex.keyboard.type("s")  # typing in the text box is not a shortcut
    expect(alex.locator("#reply-body")).to_have_value("s")
    alex.keyboard.press("Escape")
    alex.keyboard.press("r")
    expect(alex.locator("#reply-kind-public")).to_be_checked()
    alex.fill("#reply-body", "")
    alex.select_option("#canned-select", label="Greeting")
    alex.click("#canned-insert")
    expect(alex.locator("#reply-body")).to_have_value(f"Hello Mei, about #{first}:")

    bo = _sign_in(browser, live_kefu, "bo@desk.example")
    bo.goto(live_kefu.url(f"/desk/tickets/{first}/", host="demo.localhost"))
    # Alex has text in the reply box: Bo is told (the page polls every ten seconds).
    expect(bo.locator("#presence-notice")).to_have_text("Alex is replying", timeout=15_000)
    screenshot(bo, "desk-ticket-presence")
    alex.keyboard.type(" it is out.")
    alex.click("#reply-send")
    expect(alex.locator(".messages")).to_contain_text("Reply sent.")
    expect(alex.locator("#thread")).to_contain_text(f"Hello Mei, about #{first}: it is out.")
    expect(alex.locator("#ticket-history")).to_contain_text("Alex replied")
    screenshot(alex, "desk-ticket-page")
