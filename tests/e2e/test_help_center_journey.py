"""A customer on the demo help center searches in Chinese and in English, opens an article and
says it helped — in a real browser, against real server and worker processes."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_customer_searches_in_chinese_and_english_and_votes(demo, browser, screenshot):
    from playwright.sync_api import expect

    chinese = browser.new_context(locale="zh-CN").new_page()
    chinese.goto(demo.url("/", host="demo.localhost"))
    expect(chinese.locator("h1")).to_contain_text("帮助中心")
    chinese.fill("#search-q", "忘记密码")
    expect(chinese.locator("#search-suggestions")).to_contain_text("如何重置密码？")
    chinese.press("#search-q", "Enter")
    expect(chinese.locator("#search-results li").first).to_contain_text("如何重置密码？")
    expect(chinese.locator("#search-results mark").first).to_be_visible()
    screenshot(chinese, "help-center-search-zh")
    chinese.click("#search-results li >> nth=0 >> a")
    expect(chinese.locator("article h1")).to_have_text("如何重置密码？")
    chinese.click("button[value=yes]")
    expect(chinese.locator(".messages")).to_contain_text("谢谢")
    expect(chinese.locator("#feedback")).to_contain_text("1 人觉得有帮助")
    screenshot(chinese, "help-center-article-zh")

    # A guided answer, followed to its end.
    chinese.goto(demo.url("/search/?q=登录遇到问题", host="demo.localhost"))
    chinese.click("#search-results a:has-text('登录遇到问题？')")
    expect(chinese.locator(".guided-question")).to_have_text("你在哪里登录？")
    chinese.click(".guided-options a:has-text('网页版')")
    expect(chinese.locator(".guided-question")).to_contain_text("密码错误")
    chinese.click(".guided-options a:has-text('是')")
    expect(chinese.locator(".guided-answer")).to_contain_text("忘记密码")
    expect(chinese.locator(".guided-path")).to_contain_text("网页版")
    screenshot(chinese, "guided-answer-zh")
    chinese.click("#guided-solved button[value=yes]")
    expect(chinese.locator(".messages")).to_contain_text("太好了")

    english = browser.new_context(locale="en-US").new_page()
    english.goto(demo.url("/search/?q=resetting+my+password", host="demo.localhost"))
    expect(english.locator("#search-results li").first).to_contain_text(
        "How do I reset my password?"
    )
    english.click("#search-results li >> nth=0 >> a")
    expect(english.locator("article")).to_contain_text("Forgot password")
    english.click("button[value=yes]")
    expect(english.locator(".messages")).to_contain_text("Thanks! Glad it helped.")
    screenshot(english, "help-center-article-en")


@pytest.fixture
def other_origin(demo, tmp_path):
    """A customer's own website on another origin, with hostile global styles."""
    import functools
    import http.server
    import threading

    (tmp_path / "index.html").write_text(
        "<!doctype html><html><head><style>button{display:none!important}"
        "iframe{width:1px!important}*{font-size:40px!important}</style></head>"
        "<body><h1>Acme shop</h1>"
        f'<script src="http://demo.localhost:{demo.port}/widget.js" async></script>'
        "</body></html>"
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_widget_works_on_a_page_from_another_origin(other_origin, browser, screenshot):
    from playwright.sync_api import expect

    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(other_origin)
    widget_button = page.locator("[data-kefu-widget] button")
    expect(widget_button).to_be_visible()  # the host page's button{display:none} cannot reach it
    widget_button.click()
    panel = page.frame_locator("[data-kefu-widget] iframe")
    panel.locator("#search-q").fill("忘记密码")
    panel.locator("#search-q").press("Enter")
    expect(panel.locator("#widget-results li").first).to_contain_text("如何重置密码？")
    screenshot(page, "widget-on-another-origin")
