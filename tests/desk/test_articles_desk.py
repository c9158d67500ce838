"""Writing and curating articles in the desk: editor, preview, bulk status, stale flags."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.accounts.models import User
from kefu.kb.models import Article
from kefu.search.engine import search
from kefu.search.jobs import article_index_job
from kefu.tenancy import tenant_context
from tests.conftest import host

pytestmark = pytest.mark.django_db


def test_agent_writes_an_article_that_is_sanitised_indexed_by_a_job_and_published(
    client, tenant_a, make_user, login_as, django_capture_on_commit_callbacks, settings
):
    settings.KEFU_SEMANTIC_SEARCH = False
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/desk/articles/new/",
            {"title": "Okapi care", "body": "Feed the okapi.<script>alert(1)</script>",
             "language": "en", "status": "published", "tags": "animals, care"},
            HTTP_HOST=host(tenant_a),
        )  # fmt: skip
    assert response.status_code == 302
    assert len(callbacks) == 1, "indexing is left to a job, after commit"
    with tenant_context(tenant_a):
        article = Article.objects.get(title="Okapi care")
        assert "<script" not in article.body_html
        assert article.tags == ["animals", "care"]
        assert search("okapi").hits == []
        article_index_job(article.pk)  # what the worker does
        assert [hit.article.pk for hit in search("okapi").hits] == [article.pk]


def test_preview_renders_sanitised_markdown(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    html = client.post(
        "/desk/articles/preview/",
        {"body": "**bold** <img src=x onerror=alert(1)>"},
        HTTP_HOST=host(tenant_a),
    ).json()["html"]
    assert "<strong>bold</strong>" in html
    assert "onerror" not in html


def test_customers_cannot_open_the_article_desk(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    assert client.get("/desk/articles/", HTTP_HOST=host(tenant_a)).status_code == 403
    assert client.post("/desk/articles/preview/", HTTP_HOST=host(tenant_a)).status_code == 403


def test_bulk_archive_removes_articles_from_the_help_center(
    client, tenant_a, make_user, make_article, login_as, settings
):
    settings.KEFU_SEMANTIC_SEARCH = False
    first = make_article(tenant_a, "Zebra one", "zebra")
    second = make_article(tenant_a, "Zebra two", "zebra")
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    client.post(
        "/desk/articles/", {"article": [first.pk, second.pk], "status": "archived"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    with tenant_context(tenant_a):
        assert set(Article.objects.values_list("status", flat=True)) == {"archived"}
        assert search("zebra").hits == []
    assert client.get(first.get_absolute_url(), HTTP_HOST=host(tenant_a)).status_code == 404


def test_stale_articles_are_flagged_until_reviewed(
    client, tenant_a, make_user, make_article, login_as
):
    old = make_article(tenant_a, "Old answer", "text")
    make_article(tenant_a, "Fresh answer", "text")
    with tenant_context(tenant_a):
        Article.objects.filter(pk=old.pk).update(
            last_reviewed_at=timezone.now() - timedelta(days=400)
        )
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    stale = client.get("/desk/articles/?stale=1", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'data-title="Old answer"' in stale
    assert 'data-title="Fresh answer"' not in stale
    client.post(
        f"/desk/articles/{old.pk}/",
        {"title": "Old answer", "body": "text", "language": "en", "status": "published",
         "reviewed": "1"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    after = client.get("/desk/articles/?stale=1", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'data-title="Old answer"' not in after


def test_admin_sets_half_life_stale_days_and_custom_words(
    client, tenant_a, make_user, login_as, django_capture_on_commit_callbacks
):
    from kefu.desk.models import WorkspaceSettings
    from kefu.search import segment
    from kefu.search.index import custom_words

    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/desk/settings/knowledge-base/",
            {
                "popularity_half_life_days": "7",
                "stale_after_days": "90",
                "custom_words": "客服宝\n云盘Pro",
            },
            HTTP_HOST=host(tenant_a),
        )
    assert response.status_code == 302
    assert len(callbacks) == 1, "the index is rebuilt by a job"
    with tenant_context(tenant_a):
        saved = WorkspaceSettings.objects.get()
        assert (saved.popularity_half_life_days, saved.stale_after_days) == (7.0, 90)
        assert set(custom_words()) == {"客服宝", "云盘Pro"}
        assert "客服宝" in segment.terms("客服宝怎么开通", custom_words=custom_words())
    with django_capture_on_commit_callbacks() as again:
        client.post(
            "/desk/settings/knowledge-base/",
            {
                "popularity_half_life_days": "7",
                "stale_after_days": "90",
                "custom_words": "云盘Pro\n客服宝",
            },
            HTTP_HOST=host(tenant_a),
        )
    assert again == [], "an unchanged dictionary needs no rebuild"


def test_agents_cannot_change_knowledge_base_settings(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert client.get("/desk/settings/knowledge-base/", HTTP_HOST=host(tenant_a)).status_code == 403
