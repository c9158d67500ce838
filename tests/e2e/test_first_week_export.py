"""The owner of the demo workspace exports its data in a real browser: chooses what and CSV on
"Export data", downloads the zip and finds the workspace's Chinese tickets, contacts and
articles in files Excel reads; an export still waiting shows its progress bar, which follows the
job to "ready" by itself (the page polls its status); the format page explains the columns."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import demo_shell

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PASSWORD = "export journey password 2026"


def test_owner_exports_the_demo_workspace_and_downloads_the_zip(
    demo, browser, screenshot, tmp_path
):
    from playwright.sync_api import expect

    demo_shell(
        f"""
from kefu.accounts.models import User
from kefu.contacts.services import contact_for_email
from kefu.tickets.services.creation import ticket_create
owner = User.objects.get(email="owner@demo.example")
owner.set_password({PASSWORD!r})
owner.save()
contact = contact_for_email(email="liu@tea.example.cn", name="刘女士")
ticket_create(subject="龙井茶到货破损", description="=1+1 包装破了，请退款。",
              requester=contact, route=False)
"""
    )
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(demo.url("/accounts/login/", host="demo.localhost"))
    page.fill('input[name="login"]', "owner@demo.example")
    page.fill('input[name="password"]', PASSWORD)
    page.click('form button[type="submit"]')
    page.wait_for_load_state()

    page.goto(demo.url("/desk/settings/export/", host="demo.localhost"))
    expect(page.locator("h1")).to_have_text("导出数据")
    for part in ("tickets", "contacts", "articles"):
        expect(page.locator(f'input[name="parts"][value="{part}"]')).to_be_checked()
    page.check('input[name="file_format"][value="csv"]')
    page.click("#export-start")

    row = page.locator("#export-table .export-row").first
    expect(row).to_be_visible()
    # The page follows the job by itself (status polling, then a reload) until it is ready.
    download_link = row.locator(".export-download")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(row.locator(".export-status")).to_have_text("可以下载")
    expect(row.locator(".export-bar")).to_have_count(0)
    screenshot(page, "i16-export-done")

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == f"kefu-export-demo-{datetime.now(UTC):%Y%m%d}.zip"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    archive = zipfile.ZipFile(path)
    assert "tickets.csv" in archive.namelist()
    raw = archive.read("tickets.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    tickets = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    [ticket] = [t for t in tickets if t["subject"] == "龙井茶到货破损"]
    assert ticket["description"] == "'=1+1 包装破了，请退款。"
    assert ticket["requester_name"] == "刘女士"
    articles = list(csv.DictReader(io.StringIO(archive.read("articles.csv").decode("utf-8-sig"))))
    assert any(article["language"] == "zh-hans" for article in articles)

    # A bigger export still waiting for a worker: its bar shows, and follows the job to the end
    # without the owner reloading.
    export_id = demo_shell(
        """
from kefu.desk.models import ExportJob
print(ExportJob.objects.create(parts=["tickets"], file_format="json",
                               filename="kefu-export-demo.json").pk)
"""
    )
    export_id = export_id.splitlines()[-1]  # the shell first says what it imported
    page.reload()
    waiting = page.locator(f"#export-{export_id}")
    expect(waiting.locator(".export-bar")).to_be_visible()
    expect(waiting.locator(".export-status")).to_have_text("等待中")
    screenshot(page, "i16-export-progress")
    demo_shell(
        f"""
from kefu.desk.jobs import workspace_export_job
workspace_export_job.send({export_id})
"""
    )
    expect(waiting.locator(".export-download")).to_be_visible(timeout=60_000)
    expect(waiting.locator(".export-bar")).to_have_count(0)

    page.click("#export-format-link")
    expect(page.locator("#dataset-tickets")).to_be_visible()
    expect(page.locator("main")).to_contain_text("客户提交工单时写的内容。")
    screenshot(page, "i16-export-format")
