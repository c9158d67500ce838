"""Bulk import (a job with progress and a report of bad rows) and export of the knowledge base."""

from __future__ import annotations

import io
import json
import zipfile

import dramatiq
import pytest
from django.core.files.base import ContentFile

from kefu.accounts.models import User
from kefu.kb.jobs import article_import_job
from kefu.kb.models import Article, ArticleImport, Category
from kefu.kb.transfer import article_import_run
from kefu.search.engine import search
from kefu.search.models import SearchEntry, SearchTerm
from kefu.tenancy import tenant_context
from tenants.models import Tenant
from tests.conftest import host
from tests.helpers import run_worker_until_idle

CSV_WITH_BAD_ROWS = (
    "title,body,language,category,tags,status\n"
    'How do I pay by bank transfer?,Use the IBAN on your invoice.,en,Billing,"pay, bank",\n'
    ",,en,,,\n"
    "发票如何开具？,在账单页面申请电子发票。,zh-hans,账单,,\n"
    "Bad language row,Body,klingon,,,\n"
    "Bad status row,Body,en,,,shouting\n"
).encode()


@pytest.fixture
def committed_import(django_db_blocker, settings, tmp_path):
    """An import the worker's own connection can see (committed), removed afterwards."""
    settings.MEDIA_ROOT = tmp_path
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            article_import = ArticleImport(file_format="csv", publish=True)
            article_import.file.save("faq.csv", ContentFile(CSV_WITH_BAD_ROWS))
        yield tenant, article_import
        with tenant_context(tenant):
            SearchEntry.objects.all().delete()
            SearchTerm.objects.all().delete()
            Article.objects.all().delete()
            Category.objects.filter(name__in=["Billing", "账单"]).delete()
            ArticleImport.objects.filter(pk=article_import.pk).delete()


def test_import_job_keeps_good_rows_and_reports_bad_ones_through_a_real_worker(committed_import):
    tenant, article_import = committed_import
    dramatiq.get_broker().flush("imports")
    with tenant_context(tenant):
        article_import_job.send(article_import.pk)
    run_worker_until_idle("imports")

    with tenant_context(tenant):
        article_import.refresh_from_db()
        assert article_import.status == "done"
        assert (article_import.total_rows, article_import.processed_rows) == (5, 5)
        assert article_import.created_count == 2
        reasons = {failure["row"]: failure["reason"] for failure in article_import.failures}
        assert set(reasons) == {3, 5, 6}
        assert "title" in reasons[3]
        assert "klingon" in reasons[5]
        assert "shouting" in reasons[6]
        paid = Article.objects.get(title="How do I pay by bank transfer?")
        assert (paid.status, paid.category.name, paid.tags) == (
            "published",
            "Billing",
            ["pay", "bank"],
        )
        assert search("bank transfer", log=False).hits[0].article.title == paid.title
        assert search("电子发票", log=False).hits[0].article.title == "发票如何开具？"

        # Run twice (a retry): nothing is imported again.
        article_import_job(article_import.pk)
        assert Article.objects.filter(title="How do I pay by bank transfer?").count() == 1


@pytest.mark.django_db
def test_jsonl_and_markdown_zip_imports(tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    jsonl = "\n".join(
        [
            json.dumps({"question": "Where is my parcel?", "answer": "Track it in your account."}),
            "{not json",
            json.dumps({"question": None, "answer": "Refunds take five days. Contact us."}),
        ]
    ).encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Shipping/delivery-times.md", "# Delivery times\n\nThree days.")
        zipped.writestr("returns.md", "Send it back within 30 days.")
    with tenant_context(tenant_a):
        first = ArticleImport(file_format="jsonl")
        first.file.save("faq.jsonl", ContentFile(jsonl))
        article_import_run(article_import=first)
        assert first.created_count == 2
        assert first.failures[0]["row"] == 2
        assert "Not valid JSON" in first.failures[0]["reason"]
        assert Article.objects.filter(title="Refunds take five days.", status="draft").exists()

        second = ArticleImport(file_format="zip", publish=True)
        second.file.save("faq.zip", ContentFile(archive.getvalue()))
        article_import_run(article_import=second)
        assert set(Article.objects.filter(status="published").values_list("title", flat=True)) == {
            "Delivery times", "returns",
        }  # fmt: skip
        assert Article.objects.get(title="Delivery times").category.name == "Shipping"


@pytest.mark.django_db
def test_a_file_that_is_not_an_archive_fails_clearly(tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_context(tenant_a):
        broken = ArticleImport(file_format="zip")
        broken.file.save("faq.zip", ContentFile(b"plain text"))
        article_import_run(article_import=broken)
        assert broken.status == "failed"
        assert "not a zip" in broken.error


@pytest.mark.django_db
def test_desk_upload_enqueues_the_job_and_shows_progress(
    client, tenant_a, make_user, login_as, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    upload = io.BytesIO(CSV_WITH_BAD_ROWS)
    upload.name = "faq.csv"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/desk/articles/import/", {"file": upload, "publish": "on"}, HTTP_HOST=host(tenant_a)
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    with tenant_context(tenant_a):
        article_import = ArticleImport.objects.get()
        assert article_import.file_format == "csv"
        assert article_import.file.name.startswith("imports/")
        article_import_run(article_import=article_import)
    page = client.get(response["Location"], HTTP_HOST=host(tenant_a)).content.decode()
    assert "5 of 5 rows, 2 articles created" in page
    assert "klingon" in page
    status = client.get(f"{response['Location']}status/", HTTP_HOST=host(tenant_a)).json()
    assert status["status"] == "done"


@pytest.mark.django_db
def test_wrong_file_types_are_refused(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    upload = io.BytesIO(b"MZ...")
    upload.name = "faq.exe"
    response = client.post("/desk/articles/import/", {"file": upload}, HTTP_HOST=host(tenant_a))
    assert response.status_code == 200
    assert "Upload a .csv, .jsonl or .zip" in response.content.decode()


@pytest.mark.django_db
def test_customers_cannot_import_or_export(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    assert client.get("/desk/articles/import/", HTTP_HOST=host(tenant_a)).status_code == 403
    assert client.get("/desk/articles/export.jsonl", HTTP_HOST=host(tenant_a)).status_code == 403


@pytest.mark.django_db
def test_export_round_trips_into_another_workspace(
    client, tenant_a, tenant_b, make_user, make_article, login_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_article(tenant_a, "Published answer", "Body one")
    make_article(tenant_a, "草稿文章", "正文", language="zh-hans", status="draft")
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    exported = client.get("/desk/articles/export.jsonl", HTTP_HOST=host(tenant_a))
    assert "attachment" in exported["Content-Disposition"]
    lines = [json.loads(line) for line in exported.content.decode().splitlines()]
    assert {line["title"] for line in lines} == {"Published answer", "草稿文章"}
    for file_format in ("csv", "zip"):
        response = client.get(f"/desk/articles/export.{file_format}", HTTP_HOST=host(tenant_a))
        assert response.status_code == 200

    with tenant_context(tenant_b):
        copy = ArticleImport(file_format="jsonl")
        copy.file.save("copy.jsonl", ContentFile(exported.content))
        article_import_run(article_import=copy)
        assert dict(Article.objects.values_list("title", "status")) == {
            "Published answer": "published", "草稿文章": "draft",
        }  # fmt: skip
