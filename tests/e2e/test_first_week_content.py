"""Issue 16 (content): the Chinese help center names categories in Chinese and counts what it
lists, and the ticket form refuses an over-long description, saying how long it may be."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_chinese_help_center_names_and_counts_and_the_form_limits_text(demo, browser, screenshot):
    from playwright.sync_api import expect

    from kefu.core import limits

    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(demo.url("/", host="demo.localhost"))
    categories = page.locator("section[aria-labelledby=categories-heading]")
    expect(categories).to_contain_text("账单")
    expect(categories).not_to_contain_text("Billing")
    billing = categories.locator("li", has_text="账单")
    count = int(billing.locator(".meta").inner_text().strip("()"))
    screenshot(page, "i16-help-center-categories-zh")

    billing.locator("a").click()
    expect(page.locator("h1")).to_have_text("账单")
    expect(page.locator("#category-articles > li")).to_have_count(count)
    screenshot(page, "i16-help-center-category-zh")

    page.goto(demo.url("/tickets/new/", host="demo.localhost"))
    page.fill("#id_subject", "茶叶包装破损")
    page.fill("#id_description", "茶" * (limits.DESCRIPTION + 1))
    page.fill("#id_name", "李娜")
    page.fill("#id_email", "li.na@example.com")
    page.click("#ticket-submit")
    expect(page.locator("#ticket-form")).to_contain_text(
        f"最多 {limits.DESCRIPTION} 个字符（你写了 {limits.DESCRIPTION + 1} 个）"
    )
    screenshot(page, "i16-ticket-form-too-long-zh")
