"""A company signs up on the root domain, lands signed in on its desk, invites an agent, and
the agent joins and signs in: the whole journey in a real browser."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.conftest import PASSWORD
from tests.helpers import delete_tenant_by_slug

# django_db: makes pytest-django create the test database when this file runs alone. The
# browser talks to separate server processes, so everything here is committed for real and the
# workspace is deleted afterwards by another process (this test's own transaction is rolled back).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def slug():
    slug = f"e2e-{secrets.token_hex(3)}"
    yield slug
    delete_tenant_by_slug(slug)


def _sign_up(page, live_kefu, slug: str, screenshot) -> None:
    from playwright.sync_api import expect

    page.goto(live_kefu.url("/signup/"))
    page.fill("#id_company_name", "E2E Tea House")
    expect(page.locator("#id_subdomain")).to_have_value("e2e-tea-house")  # suggested from name
    page.fill("#id_subdomain", "alpha")
    expect(page.locator("#error-subdomain")).to_contain_text("already taken")
    page.fill("#id_subdomain", "www")
    expect(page.locator("#error-subdomain")).to_contain_text("reserved")
    page.fill("#id_subdomain", slug)
    expect(page.locator("#subdomain-preview")).to_contain_text(f"{slug}.localhost is available")
    expect(page.locator("#error-subdomain")).to_be_empty()
    page.fill("#id_full_name", "Owen Owner")
    page.fill("#id_email", "owen@e2e.example")
    page.fill("#id_password", PASSWORD)
    screenshot(page, "signup-form")
    page.click("#signup-submit")


def _invite_agent(page, live_kefu, slug: str) -> str:
    """Invite from the Team page; returns the link from the mail the worker sent."""
    from playwright.sync_api import expect

    page.click("text=Team")
    page.fill("#id_email", "agnes@e2e.example")
    page.select_option("#id_role", "agent")
    page.click("text=Send invitation")
    expect(page.locator(".messages")).to_contain_text("Invitation sent to agnes@e2e.example")
    page.click("text=Overview")
    expect(page.locator('[data-step="teammate"]')).to_have_class(re.compile("done"))
    mail = live_kefu.wait_for_mail("agnes@e2e.example")
    return re.search(rf"http://{slug}\.localhost:\d+/invitations/[^\s\"<]+/", mail).group(0)


def _agent_joins_then_signs_in_again(agent_page, link: str, desk_url: str, login_url: str):
    from playwright.sync_api import expect

    agent_page.goto(link)
    expect(agent_page.locator("h1")).to_contain_text("Join E2E Tea House")
    agent_page.fill("#id_full_name", "Agnes Agent")
    agent_page.fill("#id_password1", PASSWORD)
    agent_page.fill("#id_password2", PASSWORD)
    agent_page.click("text=Join and open the desk")
    agent_page.wait_for_url(desk_url)
    expect(agent_page.locator("h1")).to_contain_text("Welcome, Agnes")
    expect(agent_page.locator(".desk-nav")).not_to_contain_text("Team")  # agents do not manage

    agent_page.click("text=Sign out")
    agent_page.goto(login_url)
    agent_page.fill('input[name="login"]', "agnes@e2e.example")
    agent_page.fill('input[name="password"]', PASSWORD)
    agent_page.click('button[type="submit"]:has-text("Sign In")')
    agent_page.wait_for_url(desk_url)
    expect(agent_page.locator("h1")).to_contain_text("Welcome, Agnes")


def test_signup_lands_in_the_desk_and_an_invited_agent_signs_in(
    live_kefu, browser, screenshot, slug
):
    from playwright.sync_api import expect

    owner_context = browser.new_context(locale="en-US")
    page = owner_context.new_page()
    _sign_up(page, live_kefu, slug, screenshot)

    desk_url = live_kefu.url("/desk/", host=f"{slug}.localhost")
    page.wait_for_url(desk_url)
    expect(page.locator("h1")).to_contain_text("Welcome, Owen")
    expect(page.locator("#onboarding")).to_contain_text("Set up your help desk")
    expect(page.locator(".brand")).to_contain_text("E2E Tea House")
    screenshot(page, "desk-after-signup")

    link = _invite_agent(page, live_kefu, slug)
    agent_context = browser.new_context(locale="en-US")  # another person, no shared cookies
    agent_page = agent_context.new_page()
    _agent_joins_then_signs_in_again(
        agent_page, link, desk_url, live_kefu.url("/accounts/login/", host=f"{slug}.localhost")
    )
    screenshot(agent_page, "agent-desk-after-login")

    # The owner's session belongs to the new host only: the root domain does not know them.
    page.goto(live_kefu.url("/"))
    expect(page.locator(".site-nav")).not_to_contain_text("owen@e2e.example")
    owner_context.close()
    agent_context.close()


def test_signup_form_speaks_chinese_and_checks_the_subdomain_live(live_kefu, browser, screenshot):
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(live_kefu.url("/signup/"))
    expect(page.locator("h1")).to_have_text("创建你的帮助台")
    page.fill("#id_subdomain", "beta")
    expect(page.locator("#error-subdomain")).to_contain_text("已被占用")
    page.fill("#id_subdomain", "a")
    expect(page.locator("#error-subdomain")).to_contain_text("3-40")
    screenshot(page, "signup-form-zh")
    # The switch overrides the browser's language.
    page.select_option("#language-select", "en")
    expect(page.locator("h1")).to_have_text("Create your help desk")
    context.close()
