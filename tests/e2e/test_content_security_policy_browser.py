"""Under the Content-Security-Policy the pages' own scripts still run in Chromium, and nothing a
main page loads or does is refused: no `securitypolicyviolation` event, no CSP console message
(issue 14, item 6)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import demo_shell
from tests.helpers import run_kefu

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
PASSWORD = "csp e2e password 42"

#: Every document reports its violations to the test as they happen (Playwright's init script
#: and binding are not subject to the page's policy).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportCspViolation([
    event.violatedDirective, event.blockedURI || "inline", event.documentURI,
    (event.sourceFile || "") + ":" + event.lineNumber
  ].join(" "));
});
"""


class WatchedBrowser:
    """A browser context whose pages' CSP violations and console complaints are collected."""

    def __init__(self, browser, locale: str = "en-US") -> None:
        self.context = browser.new_context(locale=locale)
        self.violations: list[str] = []
        self.context.expose_binding(
            "reportCspViolation", lambda _source, text: self.violations.append(text)
        )
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def visit(self, url: str):
        response = self.page.goto(url)
        assert response is not None
        assert response.status < 500, url
        assert "script-src 'self'" in (response.header_value("content-security-policy") or ""), url
        self.page.wait_for_load_state("networkidle")
        return self.page


@pytest.fixture
def people(demo):
    """An agent of the demo workspace and a platform operator, with known passwords."""
    seed = f"""
from kefu.accounts.services import user_create
from kefu.kb.models import Article
user_create(email="csp-agent@demo.example", password={PASSWORD!r}, role="agent")
article = Article.objects.filter(status="published").order_by("pk").first()
print(article.pk, article.get_absolute_url())
"""
    article_id, article_url = demo_shell(seed).splitlines()[-1].split()
    operator = f"""
from kefu.accounts.models import User
user = User.objects.filter(username="csp-ops").first() or User(
    username="csp-ops", email="csp-ops@kefu.example", role="owner"
)
user.is_staff = user.is_superuser = user.is_active = True
user.set_password({PASSWORD!r})
user.save()
"""
    assert run_kefu("shell", "-c", operator).returncode == 0
    yield demo, {"id": int(article_id), "url": article_url}
    # Public users cannot be deleted from a shell (their tenant-side relations have no tables
    # in the public schema): the operator is switched off instead.
    switch_off = "from kefu.accounts.models import User\n"
    switch_off += "User.objects.filter(username='csp-ops').update(is_active=False)"
    assert run_kefu("shell", "-c", switch_off).returncode == 0


def test_customer_pages_scripts_run_without_violations(people, browser, screenshot):
    from playwright.sync_api import expect

    demo, article = people
    customer = WatchedBrowser(browser)
    page = customer.visit(demo.url("/", host="demo.localhost"))
    page.fill("#search-q", "password")
    expect(page.locator("#search-suggestions")).to_contain_text("How do I reset my password?")
    screenshot(page, "csp-help-center-suggestions")

    # The language switch submits itself (it had an inline onchange handler).
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page = customer.visit(demo.url("/tickets/new/", host="demo.localhost"))
    page.fill("#id_subject", "reset my password")
    expect(page.locator("#suggested-articles")).to_contain_text("How do I reset my password?")

    for path in ("/search/?q=password", article["url"], "/widget/?q=password",
                 "/accounts/login/", "/accounts/signup/", "/no-such-page/"):  # fmt: skip
        customer.visit(demo.url(path, host="demo.localhost"))
    assert customer.violations == []


def test_desk_scripts_run_without_violations(people, browser, screenshot):
    from playwright.sync_api import expect

    demo, article = people
    agent = WatchedBrowser(browser)
    page = agent.visit(demo.url("/accounts/login/", host="demo.localhost"))
    page.fill('input[name="login"]', "csp-agent@demo.example")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/desk/**")

    page = agent.visit(demo.url("/desk/tickets/", host="demo.localhost"))
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcut-help")).to_be_hidden()

    # Availability submits itself, as the language switch does.
    page.select_option("#availability-select", "away")
    expect(page.locator("#availability-select")).to_have_value("away")
    page.reload()
    expect(page.locator("#availability-select")).to_have_value("away")

    # The article editor's preview (an inline script before, now a static file).
    page = agent.visit(demo.url(f"/desk/articles/{article['id']}/", host="demo.localhost"))
    page.fill('[name="body"]', "Preview **under the policy**")
    expect(page.locator("#article-preview strong")).to_have_text("under the policy")
    screenshot(page, "csp-desk-article-preview")

    for path in ("/desk/", "/desk/email/", "/desk/articles/", "/desk/contacts/"):
        agent.visit(demo.url(path, host="demo.localhost"))
    assert agent.violations == []


def test_root_site_signup_and_admin_work_without_violations(people, browser, screenshot):
    from playwright.sync_api import expect

    demo, _article = people
    visitor = WatchedBrowser(browser)
    visitor.visit(demo.url("/"))
    page = visitor.visit(demo.url("/signup/"))
    page.fill('[name="subdomain"]', "csp-check-shop")
    expect(page.locator("#subdomain-preview")).to_contain_text("csp-check-shop.localhost")

    page = visitor.visit(demo.url("/admin/login/"))
    page.fill('input[name="username"]', "csp-ops")
    page.fill('input[name="password"]', PASSWORD)
    page.click('input[type="submit"]')
    expect(page.locator("#site-name")).to_be_visible()
    page = visitor.visit(demo.url("/admin/tenants/domain/"))
    expect(page.locator("#result_list")).to_contain_text("demo.localhost")
    # The admin's own scripts run: "select all" ticks every row, the inline gets its add link.
    page.check("#action-toggle")
    expect(page.locator("input.action-select").first).to_be_checked()
    page = visitor.visit(demo.url("/admin/tenants/tenant/"))
    page.click("#result_list tbody th a >> nth=0")
    expect(page.locator(".inline-group .add-row a")).to_be_visible()
    screenshot(page, "csp-admin-change-form")
    visitor.visit(demo.url("/operator/"))
    assert visitor.violations == [], json.dumps(visitor.violations, indent=1)
