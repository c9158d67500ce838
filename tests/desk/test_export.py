"""The workspace owner's data export: what the files hold, the job that writes them, and who may
start, follow and download one."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import dramatiq
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from kefu.accounts.models import User
from kefu.contacts.models import ContactIdentity
from kefu.contacts.services import contact_for_email
from kefu.desk.exports import services
from kefu.desk.exports.columns import DATASETS
from kefu.desk.exports.services import csv_cell, export_run, exports_expire
from kefu.desk.jobs import workspace_export_job
from kefu.desk.models import EXPORT_KEEP_DAYS, ExportJob
from kefu.kb.models import Category
from kefu.tenancy import tenant_context
from kefu.tickets.models import TicketAttachment
from kefu.tickets.services.creation import ticket_create
from kefu.tickets.services.thread import message_create
from tenants.models import Tenant
from tests.contacts.conftest import browser_for
from tests.helpers import run_worker_until_idle

ALL_PARTS = ["tickets", "contacts", "articles"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "export.md"


def _content(tenant, make_article, *, prefix: str = "") -> dict[str, object]:
    """A customer who wrote in Chinese, a ticket with a reply, a note and a file, an article."""
    with tenant_context(tenant):
        agent = User.objects.create_user(
            username=f"{prefix}agent", email=f"{prefix}agent@example.com", role=User.Role.AGENT
        )
        contact = contact_for_email(email=f"{prefix}wang@example.cn", name=f"{prefix}王小明")
        ContactIdentity.objects.create(contact=contact, kind="phone", value="8613800000000")
        ticket = ticket_create(
            subject=f"{prefix}发票抬头错了",
            description='=HYPERLINK("http://evil.example","点我")',
            requester=contact,
            tags=["发票", "billing"],
            route=False,
        )
        reply = message_create(ticket=ticket, body="-您好，已经改好了。", author=agent)
        TicketAttachment.objects.create(
            ticket=ticket, message=reply, file=ContentFile(b"pdf", name="r.pdf"),
            filename="收据.pdf", size=3,
        )  # fmt: skip
        message_create(ticket=ticket, body="@财务 请核对", author=agent, kind="internal")
        category = Category.objects.create(name=f"{prefix}配送", slug=f"{prefix}peisong")
    article = make_article(
        tenant, f"{prefix}如何退货", "+在订单页面点击“退货”。", language="zh-hans",
        category=category,
    )  # fmt: skip
    return {"contact": contact, "ticket": ticket, "article": article, "category": category}


def _export(tenant, file_format: str, parts=ALL_PARTS) -> ExportJob:
    with tenant_context(tenant):
        export = ExportJob.objects.create(
            parts=parts, file_format=file_format, filename=f"kefu-export-x.{file_format}"
        )
        workspace_export_job(export.pk)
        export.refresh_from_db()
        return export


def _read(tenant, export: ExportJob) -> bytes:
    with tenant_context(tenant), default_storage.open(export.file.name, "rb") as handle:
        return handle.read()


def _csv_files(tenant, export: ExportJob) -> dict[str, list[dict[str, str]]]:
    archive = zipfile.ZipFile(io.BytesIO(_read(tenant, export)))
    files = {}
    for name in archive.namelist():
        raw = archive.read(name)
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no byte order mark (Excel)"
        files[name] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    return files


@pytest.mark.django_db
def test_csv_export_holds_tickets_messages_contacts_and_articles_in_chinese(
    tenant_a, tenant_b, make_article, settings
):
    made = _content(tenant_a, make_article)
    _content(tenant_b, make_article, prefix="SECRET-beta-")

    export = _export(tenant_a, "csv")

    assert export.status == "done", export.error
    assert (export.progress_done, export.progress_total) == (9, 9)
    assert export.file.name.startswith(f"exports/{export.pk}/")
    stored = Path(settings.MEDIA_ROOT) / tenant_a.schema_name / export.file.name
    with tenant_context(tenant_a):
        assert Path(default_storage.path(export.file.name)) == stored, "the workspace's folder"
    files = _csv_files(tenant_a, export)
    assert sorted(files) == [
        "article_categories.csv", "articles.csv", "contact_identities.csv", "contacts.csv",
        "ticket_messages.csv", "tickets.csv",
    ]  # fmt: skip
    [ticket] = files["tickets.csv"]
    assert ticket["number"] == str(made["ticket"].pk)
    assert ticket["subject"] == "发票抬头错了"
    assert ticket["description"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert ticket["requester_name"] == "王小明"
    assert ticket["requester_email"] == "wang@example.cn"
    assert ticket["tags"] == "发票; billing"
    assert ticket["status"] == "new"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", ticket["created_at"])
    messages = files["ticket_messages.csv"]
    assert [(m["kind"], m["author_type"], m["body"]) for m in messages] == [
        ("public", "customer", '\'=HYPERLINK("http://evil.example","点我")'),
        ("public", "staff", "'-您好，已经改好了。"),
        ("internal", "staff", "'@财务 请核对"),
    ]
    assert messages[1]["attachments"] == "收据.pdf"
    assert {m["ticket_number"] for m in messages} == {ticket["number"]}
    [contact] = files["contacts.csv"]
    assert (contact["name"], contact["email"], contact["has_account"]) == (
        "王小明", "wang@example.cn", "false",
    )  # fmt: skip
    identities = {(i["kind"], i["value"]) for i in files["contact_identities.csv"]}
    assert identities == {("email", "wang@example.cn"), ("phone", "8613800000000")}
    assert {i["contact_id"] for i in files["contact_identities.csv"]} == {contact["contact_id"]}
    [article] = files["articles.csv"]
    assert (article["title"], article["category"], article["body"]) == (
        "如何退货", "配送", "'+在订单页面点击“退货”。",
    )  # fmt: skip
    assert files["article_categories.csv"][0]["name"] == "配送"
    everything = json.dumps(files, ensure_ascii=False)
    assert "SECRET-beta" not in everything, "another workspace's data is never exported"
    assert "agent@example.com" in everything


@pytest.mark.django_db
def test_json_export_nests_messages_in_tickets_and_identities_in_contacts(
    tenant_a, tenant_b, make_article
):
    made = _content(tenant_a, make_article)
    _content(tenant_b, make_article, prefix="SECRET-beta-")

    export = _export(tenant_a, "json")

    assert export.status == "done", export.error
    data = json.loads(_read(tenant_a, export).decode("utf-8"))
    assert data["format"] == "kefu-workspace-export/1"
    assert data["workspace"] == {"name": "Alpha Ltd", "slug": "alpha"}
    assert data["parts"] == ALL_PARTS
    assert list(data)[4:] == ["tickets", "contacts", "article_categories", "articles"]
    [ticket] = data["tickets"]
    assert ticket["number"] == made["ticket"].pk
    assert ticket["subject"] == "发票抬头错了"
    assert ticket["tags"] == ["发票", "billing"]
    assert ticket["is_public"] is False
    assert ticket["resolved_at"] is None
    # JSON is data, not a spreadsheet: nothing is prefixed.
    assert [m["body"] for m in ticket["messages"]] == [
        "=HYPERLINK(\"http://evil.example\",\"点我\")", "-您好，已经改好了。", "@财务 请核对",
    ]  # fmt: skip
    assert ticket["messages"][1]["attachments"] == ["收据.pdf"]
    [contact] = data["contacts"]
    assert contact["name"] == "王小明"
    assert sorted(i["kind"] for i in contact["identities"]) == ["email", "phone"]
    [article] = data["articles"]
    assert (article["title"], article["category_id"]) == ("如何退货", made["category"].pk)
    assert "SECRET-beta" not in json.dumps(data, ensure_ascii=False)


@pytest.mark.django_db
def test_an_export_of_only_contacts_holds_only_contacts(tenant_a, make_article):
    _content(tenant_a, make_article)
    export = _export(tenant_a, "csv", parts=["contacts"])
    assert sorted(_csv_files(tenant_a, export)) == ["contact_identities.csv", "contacts.csv"]
    assert export.progress_total == 3  # one contact, two identities


@pytest.mark.django_db
def test_running_the_job_twice_leaves_one_file_and_the_same_result(tenant_a, make_article):
    _content(tenant_a, make_article)
    export = _export(tenant_a, "csv")
    first = _read(tenant_a, export)
    with tenant_context(tenant_a):
        workspace_export_job(export.pk)  # a second delivery of the same message
        again = ExportJob.objects.get(pk=export.pk)
        folder = Path(default_storage.path(f"exports/{export.pk}"))
    assert (again.status, again.file.name, again.finished_at) == (
        "done", export.file.name, export.finished_at,
    )  # fmt: skip
    assert _read(tenant_a, again) == first
    assert len([path for path in folder.rglob("*") if path.is_file()]) == 1


@pytest.mark.django_db
def test_a_run_that_lost_its_claim_to_a_newer_run_keeps_nothing(tenant_a, make_article):
    """Two deliveries at once: the run that claimed last finishes; the other's file is gone."""
    _content(tenant_a, make_article)
    with tenant_context(tenant_a):
        export = ExportJob.objects.create(parts=ALL_PARTS, file_format="json", filename="x.json")
        older = services._claim(export.pk, "older")
        assert older is not None
        export_run(export_id=export.pk)  # the newer run claims and finishes
        export.refresh_from_db()
        stored = default_storage.save(f"exports/{export.pk}/older/x.json", ContentFile(b"{}"))
        services._finish(export.pk, "older", stored)
        assert not default_storage.exists(stored)
        export.refresh_from_db()
        assert export.status == "done"
        assert default_storage.exists(export.file.name)


@pytest.mark.django_db
def test_progress_is_saved_every_few_rows_while_it_runs(tenant_a, make_article, monkeypatch):
    _content(tenant_a, make_article)
    monkeypatch.setattr(services, "PAGE_ROWS", 2)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int]] = []
    advance = services._Progress.advance

    def watched(progress, rows: int) -> None:
        advance(progress, rows)
        row = ExportJob.objects.get(pk=progress.export_id)
        seen.append((row.progress_done, row.progress_total))

    monkeypatch.setattr(services._Progress, "advance", watched)
    export = _export(tenant_a, "csv")
    assert export.status == "done"
    assert len(seen) >= 5
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    assert {total for _done, total in seen} == {9}
    assert [done for done, total in seen if 0 < done < total], "saved before the end"
    assert seen[-1][0] == 9


@pytest.mark.django_db
def test_a_failing_export_is_marked_failed_with_the_reason(tenant_a, monkeypatch, make_user):
    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "_write_csv_zip", broken)
    export = _export(tenant_a, "csv")
    assert export.status == "failed"
    assert "No space left on device" in export.error
    assert export.finished_at is not None
    owner = make_user(tenant_a, User.Role.OWNER)
    page = browser_for(tenant_a, owner).get("/desk/settings/export/").content.decode()
    assert "could not be finished" in page
    assert "No space left on device" in page


@pytest.mark.django_db
def test_exports_expire_after_the_kept_days_and_their_file_is_deleted(tenant_a, make_user):
    export = _export(tenant_a, "json", parts=["articles"])
    with tenant_context(tenant_a):
        name = export.file.name
        assert exports_expire() == 0
        ExportJob.objects.filter(pk=export.pk).update(
            finished_at=timezone.now() - timedelta(days=EXPORT_KEEP_DAYS, minutes=1)
        )
        assert exports_expire() == 1
        export.refresh_from_db()
        assert (export.status, export.file.name) == ("expired", "")
        assert not default_storage.exists(name)
    owner = make_user(tenant_a, User.Role.OWNER)
    browser = browser_for(tenant_a, owner)
    response = browser.get(f"/desk/settings/export/{export.pk}/download/", follow=True)
    assert "has expired" in response.content.decode()


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    assert [csv_cell(v) for v in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\t=1", "\r=1"]] == [
        "'=1+1", "'+86 138", "'-2", "'@SUM(A1)", "'\t=1", "'\r=1",
    ]  # fmt: skip
    assert [csv_cell(v) for v in ["a=1", "普通文字", -2, 3, None, True, {}]] == [
        "a=1", "普通文字", -2, 3, "", "true", "",
    ]  # fmt: skip


# --- the desk pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_owner_starts_an_export_and_follows_it_to_the_download(
    tenant_a, make_user, make_article, django_capture_on_commit_callbacks
):
    _content(tenant_a, make_article)
    owner = make_user(tenant_a, User.Role.OWNER)
    browser = browser_for(tenant_a, owner)
    page = browser.get("/desk/settings/export/")
    assert page.status_code == 200
    assert 'href="/desk/settings/export/format/"' in page.content.decode()

    broker = dramatiq.get_broker()
    broker.flush("exports")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/desk/settings/export/", {"parts": ["tickets", "contacts"], "file_format": "csv"}
        )
    assert response.status_code == 302
    assert broker.do_qsize("exports") == 1, "the job is sent after the commit"
    broker.flush("exports")
    with tenant_context(tenant_a):
        export = ExportJob.objects.get()
    assert export.parts == ["tickets", "contacts"]
    assert export.requested_by == owner
    assert export.filename == f"kefu-export-alpha-{timezone.now():%Y%m%d}.zip"
    page = browser.get("/desk/settings/export/").content.decode()
    assert f'data-status-url="/desk/settings/export/{export.pk}/status/"' in page
    assert 'class="export-bar"' in page
    status = browser.get(f"/desk/settings/export/{export.pk}/status/").json()
    assert (status["status"], status["finished"], status["download_url"]) == ("queued", False, "")

    with tenant_context(tenant_a):
        workspace_export_job(export.pk)
    status = browser.get(f"/desk/settings/export/{export.pk}/status/").json()
    assert (status["status"], status["percent"], status["finished"]) == ("done", 100, True)
    assert status["done"] == status["total"] == 7
    download = browser.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert f'filename="{export.filename}"' in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "tickets.csv" in archive.namelist()
    assert "articles.csv" not in archive.namelist()
    page = browser.get("/desk/settings/export/").content.decode()
    assert f'href="/desk/settings/export/{export.pk}/download/"' in page


@pytest.mark.django_db
def test_a_second_export_waits_for_the_running_one_and_bad_input_is_explained(tenant_a, make_user):
    owner = make_user(tenant_a, User.Role.OWNER)
    browser = browser_for(tenant_a, owner)
    response = browser.post("/desk/settings/export/", {"file_format": "xml"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Choose at least one thing to export." in text
    assert "Select a valid choice" in text
    with tenant_context(tenant_a):
        ExportJob.objects.create(parts=["tickets"], file_format="csv", filename="x.zip")
    response = browser.post("/desk/settings/export/", {"parts": "tickets", "file_format": "csv"})
    assert response.status_code == 200
    assert "An export is already running" in response.content.decode()
    with tenant_context(tenant_a):
        assert ExportJob.objects.count() == 1


@pytest.mark.django_db
def test_only_owners_and_admins_of_the_workspace_reach_exports(tenant_a, tenant_b, make_user):
    export = _export(tenant_a, "json", parts=["articles"])
    urls = [
        "/desk/settings/export/",
        "/desk/settings/export/format/",
        f"/desk/settings/export/{export.pk}/status/",
        f"/desk/settings/export/{export.pk}/download/",
    ]
    for role in (User.Role.AGENT, User.Role.CUSTOMER):
        browser = browser_for(tenant_a, make_user(tenant_a, role))
        assert [browser.get(url).status_code for url in urls] == [403] * 4, role
    anonymous = browser_for(tenant_a)
    assert anonymous.get(urls[3]).status_code == 302
    assert "/accounts/login/" in anonymous.get(urls[3])["Location"]
    admin = browser_for(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    assert [admin.get(url).status_code for url in urls] == [200] * 4


@pytest.mark.django_db
def test_another_workspaces_export_is_not_found(tenant_a, tenant_b, make_user):
    with tenant_context(tenant_b):
        theirs = ExportJob.objects.create(parts=["tickets"], file_format="csv", filename="b.zip")
        theirs.file.save("b.zip", ContentFile(b"SECRET-beta"), save=False)
        ExportJob.objects.filter(pk=theirs.pk).update(status="done", file=theirs.file.name)
    with tenant_context(tenant_a):
        ExportJob.objects.filter(pk=theirs.pk).delete()  # alpha has no export of that number
    owner = browser_for(tenant_a, make_user(tenant_a, User.Role.OWNER))
    assert owner.get(f"/desk/settings/export/{theirs.pk}/download/").status_code == 404
    assert owner.get(f"/desk/settings/export/{theirs.pk}/status/").status_code == 404


@pytest.mark.django_db
def test_the_format_page_and_docs_describe_every_file_and_column(tenant_a, make_user, client):
    admin = make_user(tenant_a, User.Role.ADMIN)
    browser = browser_for(tenant_a, admin)
    english = browser.get("/desk/settings/export/format/").content.decode()
    chinese = browser.get(
        "/desk/settings/export/format/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    docs = DOCS.read_text()
    for dataset in DATASETS:
        assert f"`{dataset.name}.csv`" in docs, dataset.name
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in english
            assert re.search(rf"^\| `{column.name}` \|", docs, re.MULTILINE), column.name
    assert "When it was opened." in english
    assert "工单" in chinese


# --- a real worker --------------------------------------------------------------------------


@pytest.fixture
def committed_export(django_db_blocker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            category = Category.objects.create(name="物流", slug="worker-export-wuliu")
            export = ExportJob.objects.create(
                parts=["articles"], file_format="csv", filename="kefu-export-alpha.zip"
            )
        yield tenant, export
        with tenant_context(tenant):
            ExportJob.objects.filter(pk=export.pk).delete()
            category.delete()


def test_the_export_job_runs_on_a_real_worker(committed_export):
    tenant, export = committed_export
    dramatiq.get_broker().flush("exports")
    with tenant_context(tenant):
        workspace_export_job.send(export.pk)
    run_worker_until_idle("exports")
    with tenant_context(tenant):
        export.refresh_from_db()
        assert export.status == "done", export.error
    files = _csv_files(tenant, export)
    assert [row["name"] for row in files["article_categories.csv"]] == ["物流"]
