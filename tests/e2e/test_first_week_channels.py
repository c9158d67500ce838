"""Issue 16, channels and the support address, as a new company's admin sees them: the add
form offers only channels that work (an old label-only row says it does not), the widget page
gives the line to paste with a working copy button, the support address is "not verified"
until Kefu's test message has really come in through the inbound path, and the operator's
sign-in says it is Kefu's."""

from __future__ import annotations

import pytest

from tests.helpers import delete_demo, run_kefu

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
PASSWORD = "first week channels 42"
ADMIN = "li.admin@qingmu.example"
SUPPORT = "help@qingmu.example"

SEED = f"""
from kefu.core.demo import demo_seed
from kefu.tenancy import tenant_context
from tenants.models import Tenant
demo_seed()
with tenant_context(Tenant.objects.get(slug="demo")):
    from kefu.accounts.services import user_create
    from kefu.desk.models import WorkspaceSettings
    from kefu.desk.selectors import workspace_settings_get
    from kefu.messaging.models import Channel
    user_create(email={ADMIN!r}, password={PASSWORD!r}, role="admin", first_name="Li")
    Channel.objects.create(kind="sms", name="Text us", address="+86 10 5555 0100")
    workspace_settings_get()
    WorkspaceSettings.objects.update(support_email={SUPPORT!r})
"""

MAIL_SEPARATOR = "\n" + "-" * 79 + "\n"


@pytest.fixture
def workspace(live_kefu):
    result = run_kefu("shell", "-c", SEED)
    assert result.returncode == 0, result.stderr
    yield live_kefu
    delete_demo()


def _sign_in(browser, live_kefu, locale: str = "en-US"):
    context = browser.new_context(locale=locale)
    context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_kefu.url("", host="demo.localhost")
    )
    page = context.new_page()
    page.goto(live_kefu.url("/accounts/login/", host="demo.localhost"))
    page.fill('input[name="login"]', ADMIN)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/desk/**")
    return page


def _forward_to_kefu(live_kefu, needle: str) -> str:
    """What the mail provider does: the mail sent to the support address comes back in
    through the inbound path (here the ingest command, as the provider's webhook would)."""
    text = live_kefu.wait_for_mail(needle)
    raw = text.split(MAIL_SEPARATOR)[0]
    path = live_kefu.mail_dir / "forwarded.eml"
    path.write_text(raw)
    result = run_kefu("ingest_email", str(path), "--tenant", "demo",
                      "--recipient", "support@demo.localhost")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_channels_widget_snippet_support_address_and_operator_sign_in(
    workspace, browser, screenshot
):
    from playwright.sync_api import expect

    page = _sign_in(browser, workspace)
    page.goto(workspace.url("/desk/settings/channels/", host="demo.localhost"))
    kinds = page.locator('#channel-form select[name="kind"] option')
    expect(kinds).to_have_text(["— choose —", "Email address", "Web form"])
    old = page.locator('tr[data-channel="Text us"]')
    expect(old).to_contain_text("Not working yet")
    expect(old.get_by_role("button", name="Deactivate")).to_be_visible()
    screenshot(page, "i16-channels-only-working-kinds")

    page.click("#widget-settings-link")
    page.wait_for_url("**/settings/channels/widget/")
    snippet = f'<script src="http://demo.localhost:{workspace.port}/widget.js" async></script>'
    expect(page.locator("#widget-snippet")).to_have_text(snippet)
    copy = page.locator("#widget-copy")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    page.fill("#id_widget_allowed_origins", "not a site")
    page.click('#widget-origins-form button[type="submit"]')
    expect(page.locator("#widget-origins-form")).to_contain_text("is not a site address")
    page.fill("#id_widget_allowed_origins", "https://www.qingmu.example")
    page.click('#widget-origins-form button[type="submit"]')
    expect(page.locator("#widget-origins-state")).to_contain_text("https://www.qingmu.example")
    screenshot(page, "i16-widget-snippet-and-allowed-sites")

    page.goto(workspace.url("/desk/settings/email/", host="demo.localhost"))
    expect(page.locator("#forwarding-address")).to_have_text("support@demo.localhost")
    state = page.locator("#verification-state")
    expect(state).to_have_attribute("data-state", "unverified")
    expect(state).to_contain_text("Not verified yet")
    screenshot(page, "i16-support-address-not-verified")
    page.click("#send-test-message")
    expect(page.locator("ul.messages")).to_contain_text(f"A test message was sent to {SUPPORT}")
    assert '"status": "discarded"' in _forward_to_kefu(workspace, "X-Kefu-Verification")
    page.reload()
    expect(state).to_have_attribute("data-state", "verified")
    expect(state).to_contain_text("the forwarding works")
    screenshot(page, "i16-support-address-verified")
    page.goto(workspace.url("/desk/", host="demo.localhost"))
    page.context.close()

    operator = browser.new_context(locale="zh-CN").new_page()
    operator.goto(workspace.url("/admin/login/"))
    expect(operator.locator("#site-name")).to_have_text("Kefu 运营控制台")
    expect(operator.locator("#operator-login-intro")).to_contain_text("用 Kefu 运营账户登录")
    assert "Django" not in operator.title()
    screenshot(operator, "i16-operator-sign-in-zh")
