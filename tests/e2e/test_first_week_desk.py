"""A small team's first week in the desk, in a real browser: the agent sees the waiting queue
(and not the admin's checklist), the admin (in Chinese) types SLA targets in hours and days, is
asked before a category is removed, and reads what each canned response placeholder gives."""

from __future__ import annotations

import pytest

from tests.helpers import delete_demo, run_kefu

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
PASSWORD = "first week password 42"

SEED = f"""
from kefu.core.demo import demo_seed
from kefu.tenancy import tenant_context
from tenants.models import Tenant
demo_seed()
with tenant_context(Tenant.objects.get(slug="demo")):
    from kefu.accounts.services import user_create
    from kefu.contacts.services import contact_for_email
    from kefu.tickets.models import SkillGroup, TicketCategory
    from kefu.tickets.services.creation import ticket_create
    user_create(email="alex@first.example", password={PASSWORD!r}, role="agent", first_name="Alex")
    user_create(email="ada@first.example", password={PASSWORD!r}, role="admin", first_name="Ada")
    wholesale = TicketCategory.objects.create(
        name="Wholesale 批发", skill_group=SkillGroup.objects.create(name="Wholesale 批发")
    )
    ticket_create(subject="批发价格", description="请问一百盒的批发价格是多少？",
                  category=wholesale,
                  requester=contact_for_email(email="wang@first.example", name="王先生"))
"""


@pytest.fixture
def team(live_kefu):
    result = run_kefu("shell", "-c", SEED)
    assert result.returncode == 0, result.stderr
    yield live_kefu
    delete_demo()


def _sign_in(browser, live_kefu, email: str, locale: str):
    page = browser.new_context(locale=locale).new_page()
    page.goto(live_kefu.url("/accounts/login/", host="demo.localhost"))
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/desk/**")
    return page


def test_first_week_in_the_desk(team, browser, screenshot):
    from playwright.sync_api import expect

    desk = team.url("/desk/", host="demo.localhost")

    # The agent: the waiting ticket is shown loudly, with what to do; no admin checklist.
    alex = _sign_in(browser, team, "alex@first.example", "en-US")
    alex.goto(desk)
    warning = alex.locator("#queue-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("waiting with nobody assigned")
    expect(warning.get_by_role("link", name="Take a ticket from the queue")).to_be_visible()
    expect(alex.locator("#onboarding")).to_have_count(0)
    expect(alex.get_by_text("Set up your help desk")).to_have_count(0)
    expect(alex.locator("#availability-select")).to_have_value("auto")
    screenshot(alex, "i16-desk-home-agent-queue-warning")

    # The admin, in Chinese: SLA targets in hours and days, shown back in those units.
    ada = _sign_in(browser, team, "ada@first.example", "zh-CN")
    ada.goto(team.url("/desk/settings/sla/", host="demo.localhost"))
    form = ada.locator("#policy-form")
    form.locator('input[name="name"]').fill("批发客户 Wholesale")
    form.locator('input[name="first_response_minutes"]').fill("4小时")
    form.locator('input[name="resolution_minutes"]').fill("2d")
    form.locator('button[type="submit"]').click()
    row = ada.locator('tr[data-policy="批发客户 Wholesale"]')
    expect(row).to_contain_text("4 小时")
    expect(row).to_contain_text("2 天")
    form.locator('input[name="name"]').fill("Too fast")
    form.locator('input[name="first_response_minutes"]').fill("4x")
    form.locator('input[name="resolution_minutes"]').fill("2d")
    form.locator('button[type="submit"]').click()
    expect(ada.locator("#policy-form")).to_contain_text("无法识别的单位“x”")
    screenshot(ada, "i16-sla-targets-in-hours-zh")

    # Removing a ticket category asks first and says what happens to its tickets.
    ada.goto(team.url("/desk/settings/categories/", host="demo.localhost"))
    item = ada.locator("#category-list li", has_text="Wholesale 批发")
    item.locator("a[href$='/delete/']").click()
    confirm = ada.locator("#confirm-delete")
    expect(confirm).to_contain_text("1 个工单使用此分类")
    expect(confirm).to_contain_text("停用")
    screenshot(ada, "i16-confirm-remove-category-zh")
    confirm.get_by_role("link", name="取消").click()
    expect(ada.locator("#category-list")).to_contain_text("Wholesale 批发")  # nothing happened
    ada.locator("#category-list li", has_text="Wholesale 批发").locator(
        "a[href$='/delete/']"
    ).click()
    ada.locator('#confirm-delete button[name="confirm"]').click()
    expect(ada.locator("#category-list")).not_to_contain_text("Wholesale 批发")

    # Canned responses: every placeholder documented; "#{{ ticket.number }}" gives one "#".
    ada.goto(team.url("/desk/canned/", host="demo.localhost"))
    expect(
        ada.locator('#canned-placeholders tr[data-placeholder="ticket.number"]')
    ).to_contain_text("不带 #")
    ada.get_by_role("link", name="已收到，正在处理").click()
    preview = ada.locator("#canned-preview")
    expect(preview).to_contain_text("您的工单 #1001 已收到")
    expect(preview).not_to_contain_text("##")
    screenshot(ada, "i16-canned-placeholders-preview-zh")
