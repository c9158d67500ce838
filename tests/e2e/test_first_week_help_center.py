"""What a customer and an agent see in their first week, in a real browser (issue 16: 7, 8, 9,
21): the ticket page says what the customer waits for; a long unbroken subject stays inside the
window on the portal and in the desk, and the desk history numbers its tenth line; the vote
buttons show icons that ship with Kefu; a search that finds nothing leads to the request form;
and the help-center pages pass axe-core with no console error, a meta description, an icon and
gzipped answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import demo_shell

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PASSWORD = "first week password 2026"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: A pasted tracking number: one "word" far wider than any window.
LONG_SUBJECT = "Parcel-not-arrived-tracking-" + "SF1234567890" * 22
HOST = "demo.localhost"


@pytest.fixture
def long_ticket(demo) -> int:
    """The demo customer's ticket with a long unbroken subject, answered by the agent, with a
    history of more than ten lines; returns its number."""
    output = demo_shell(
        f"""
import datetime
from django.utils import timezone
from kefu.accounts.models import User
from kefu.contacts.services import contact_for_user
from kefu.tickets.models import Ticket
from kefu.tickets.services.changes import ticket_status_set
from kefu.tickets.services.creation import ticket_create
from kefu.tickets.services.thread import ticket_reply
for email in ("customer@demo.example", "agent@demo.example"):
    user = User.objects.get(email=email)
    user.set_password({PASSWORD!r})
    user.save()
customer = User.objects.get(email="customer@demo.example")
agent = User.objects.get(email="agent@demo.example")
ticket = ticket_create(subject={LONG_SUBJECT!r}, description="Where is it? " + {LONG_SUBJECT!r},
                       requester=contact_for_user(user=customer))
ticket_reply(ticket=ticket, author=agent, body="We asked the courier: " + {LONG_SUBJECT!r})
for _ in range(6):
    ticket_status_set(ticket=ticket, status="on_hold", actor=agent)
    ticket_status_set(ticket=ticket, status="open", actor=agent)
Ticket.objects.filter(pk=ticket.pk).update(
    resolution_due_at=timezone.now() + datetime.timedelta(days=2))
print(ticket.pk)
"""
    )
    return int(output.splitlines()[-1])


def _sign_in(page, demo, email: str) -> None:
    page.goto(demo.url("/accounts/login/", host=HOST))
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    page.wait_for_load_state()


def _assert_fits_the_window(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"the page is {width}px wide in a {viewport}px window"


def test_long_subject_stays_in_the_window_and_the_customer_is_told_what_comes_next(
    demo, browser, screenshot, long_ticket
):
    from playwright.sync_api import expect

    customer = browser.new_context(locale="en-US").new_page()
    _sign_in(customer, demo, "customer@demo.example")
    customer.goto(demo.url(f"/tickets/{long_ticket}/", host=HOST))
    expect(customer.locator("h1")).to_contain_text("SF1234567890")
    # Item 7: answered, so the promise is the resolution, not "We will answer by".
    expect(customer.locator("#promised")).to_contain_text("We aim to resolve this by")
    expect(customer.locator("#promised")).not_to_contain_text("We will answer by")
    _assert_fits_the_window(customer)
    screenshot(customer, "i16-portal-long-subject")
    customer.goto(demo.url("/tickets/?tab=mine", host=HOST))
    expect(customer.locator("#ticket-rows")).to_contain_text("SF1234567890")
    _assert_fits_the_window(customer)

    agent = browser.new_context(locale="en-US").new_page()
    _sign_in(agent, demo, "agent@demo.example")
    agent.goto(demo.url(f"/desk/tickets/{long_ticket}/", host=HOST))
    expect(agent.locator(".ticket-header h1")).to_contain_text("SF1234567890")
    _assert_fits_the_window(agent)
    history = agent.locator("#ticket-history li")
    assert history.count() >= 10
    # A scrolling list clips the markers that stick out of its padding ("10." showed as "0."):
    # the padding must hold the widest marker, measured in the list's own font.
    room, needed = agent.evaluate(
        """() => {
            const list = document.getElementById("ticket-history");
            const style = getComputedStyle(list.children[9]);
            const context = document.createElement("canvas").getContext("2d");
            context.font = `${style.fontSize} ${style.fontFamily}`;
            const marker = `${list.children.length}. `;
            const room = parseFloat(getComputedStyle(list).paddingLeft);
            return [room, context.measureText(marker).width];
        }"""
    )
    assert room >= needed, f"{needed:.1f}px of marker in {room:.1f}px of padding"
    agent.locator("#ticket-history li").nth(9).scroll_into_view_if_needed()
    screenshot(agent, "i16-desk-long-subject")
    agent.goto(demo.url("/desk/tickets/", host=HOST))
    expect(agent.locator("#ticket-table")).to_contain_text("SF1234567890")
    _assert_fits_the_window(agent)


def _audit(page, url: str, errors: list[str]) -> None:
    """Open ``url`` and check what an audit checks: gzip, a description, an icon, axe-core."""
    errors.clear()
    response = page.goto(url)
    assert response.status == 200
    assert "gzip" in response.request.all_headers().get("accept-encoding", "")
    assert response.header_value("content-encoding") == "gzip", url
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert description, url
    assert len(description) > 20, url
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert _fetch_status(page, icon) == 200
    # All rules axe runs by default (WCAG A/AA and best practices), every impact level.
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    assert violations == [], f"{url}: " + json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"][:3]]}
         for v in violations], ensure_ascii=False, indent=1)  # fmt: skip
    assert errors == [], f"{url}: {errors}"


def _fetch_status(page, path: str) -> int:
    # From the page itself: only the browser resolves *.localhost to this machine.
    return page.evaluate("path => fetch(path).then(response => response.status)", path)


def _audited_page(browser, locale: str):
    context = browser.new_context(locale=locale)
    # An init script runs before the page's own and is not subject to its Content-Security-Policy
    # (the page allows only its nonce'd scripts), so the policy itself stays as customers get it.
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and errors.append(f"{response.status} {response.url}")
        ),
    )
    return page, errors


def test_help_center_pages_pass_the_audit_and_lead_to_a_person(demo, browser, screenshot):
    from playwright.sync_api import expect

    english, errors = _audited_page(browser, "en-US")
    _audit(english, demo.url("/", host=HOST), errors)
    assert _fetch_status(english, "/favicon.ico") == 200
    _audit(english, demo.url("/search/?q=reset+password", host=HOST), errors)
    expect(english.locator("#search-results li").first).to_be_visible()
    english.click("#search-results li >> nth=0 >> a")
    article_url = english.url.split("?")[0]
    _audit(english, article_url, errors)
    # Item 8: the vote buttons draw their icons (no emoji font needed) and are named by text.
    for name in ("Yes", "No"):
        button = english.get_by_role("button", name=name, exact=True)
        box = button.locator("svg.icon").bounding_box()
        assert box, f"the {name} button has an icon"
        assert box["width"] >= 12
        assert box["height"] >= 12
    english.locator("#feedback").scroll_into_view_if_needed()
    screenshot(english, "i16-vote-icons")

    # Item 9: nothing found, so the page offers a person, carrying the question along.
    _audit(english, demo.url("/search/?q=my+teapot+spaceship+leaks", host=HOST), errors)
    expect(english.locator("#no-results")).to_be_visible()
    screenshot(english, "i16-search-no-results-contact")
    english.click("#search-contact-support")
    expect(english.locator("#id_subject")).to_have_value("my teapot spaceship leaks")
    _audit(english, english.url, errors)
    screenshot(english, "i16-ticket-form-from-search")

    chinese, errors_zh = _audited_page(browser, "zh-CN")
    _audit(chinese, demo.url("/", host=HOST), errors_zh)
    expect(chinese.locator("html")).to_have_attribute("lang", "zh-hans")
    _audit(chinese, demo.url("/search/?q=飞船漏水", host=HOST), errors_zh)
    expect(chinese.locator("#no-results-contact")).to_contain_text("联系客服")
    screenshot(chinese, "i16-search-no-results-contact-zh")
    _audit(chinese, article_url, errors_zh)
