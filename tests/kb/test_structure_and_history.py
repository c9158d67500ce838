"""The knowledge base's category tree, article version history (diff, restore) and files."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.accounts.models import User
from kefu.kb.categories import category_delete, category_save
from kefu.kb.models import Article, ArticleRevision, Category
from kefu.kb.services import article_save
from kefu.tenancy import tenant_context
from tests.conftest import host

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_categories_form_a_tree_without_cycles_and_deleting_moves_articles_up(in_tenant_a):
    top = category_save(name="Accounts")
    child = category_save(name="Passwords", parent=top)
    grandchild = category_save(name="Reset links", parent=child)
    with pytest.raises(ValidationError, match="under itself"):
        category_save(category=top, name="Accounts", parent=grandchild)
    with pytest.raises(ValidationError, match="levels deep"):
        category_save(name="Too deep", parent=grandchild)
    article = article_save(title="Link expired", body="Ask again.", language="en", category=child)
    assert category_delete(category=child) == 1
    article.refresh_from_db()
    grandchild.refresh_from_db()
    assert article.category == top
    assert grandchild.parent == top


def test_help_center_shows_the_tree_with_breadcrumbs(client, tenant_a, make_article):
    with tenant_context(tenant_a):
        top = category_save(name="Accounts")
        child = category_save(name="Passwords", parent=top)
    make_article(tenant_a, "Resetting a password", category=child)
    home = client.get("/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Accounts" in home
    assert "(1)" in home  # the article below counts for the top category
    assert "Passwords" not in home  # only the top level on the home page
    page = client.get(f"/categories/{top.pk}-{top.slug}/", HTTP_HOST=host(tenant_a))
    assert "Passwords" in page.content.decode()
    child_page = client.get(
        f"/categories/{child.pk}-{child.slug}/", HTTP_HOST=host(tenant_a)
    ).content.decode()
    assert f'href="/categories/{top.pk}-{top.slug}/"' in child_page
    assert "Resetting a password" in child_page


def test_every_change_is_a_version_and_unchanged_saves_are_not(in_tenant_a):
    article = article_save(title="Refunds", body="Within 7 days.", language="en")
    article_save(article=article, title="Refunds", body="Within 7 days.", language="en")
    article_save(article=article, title="Refunds", body="Within 14 days.", language="en")
    assert list(article.revisions.values_list("number", "body")) == [
        (2, "Within 14 days."),
        (1, "Within 7 days."),
    ]


def test_agent_sees_a_diff_and_restores_an_old_version(client, tenant_a, make_user, login_as):
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        article = article_save(
            title="Shipping", body="We ship on Mondays.", language="en", status="published"
        )
        article_save(
            article=article, title="Shipping", body="We ship every day.", language="en",
            status="published", author=agent,
        )  # fmt: skip
    login_as(tenant_a, agent)
    diff = client.get(
        f"/desk/articles/{article.pk}/history/2/", HTTP_HOST=host(tenant_a)
    ).content.decode()
    assert "<del>- We ship on Mondays.</del>" in diff
    assert "<ins>+ We ship every day.</ins>" in diff
    response = client.post(
        f"/desk/articles/{article.pk}/history/1/restore/", HTTP_HOST=host(tenant_a)
    )
    assert response.status_code == 302
    with tenant_context(tenant_a):
        article.refresh_from_db()
        assert article.body == "We ship on Mondays."
        assert "Mondays" in article.body_html
        newest = article.revisions.first()
        assert (newest.number, newest.restored_from, newest.author) == (3, 1, agent)
    history = client.get(f"/desk/articles/{article.pk}/history/", HTTP_HOST=host(tenant_a))
    assert "restored from v1" in history.content.decode()


def test_history_and_categories_are_closed_to_lower_roles_and_other_tenants(
    client, tenant_a, tenant_b, make_user, login_as
):
    with tenant_context(tenant_a):
        article = article_save(title="Secret plan", body="v1", language="en")
        category = category_save(name="Internal")
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert (
        client.get("/desk/knowledge-base/categories/", HTTP_HOST=host(tenant_a)).status_code == 403
    )
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    assert (
        client.get(f"/desk/articles/{article.pk}/history/", HTTP_HOST=host(tenant_a)).status_code
        == 403
    )
    login_as(tenant_b, make_user(tenant_b, User.Role.ADMIN))
    assert (
        client.get(f"/desk/articles/{article.pk}/history/", HTTP_HOST=host(tenant_b)).status_code
        == 404
    )
    response = client.post(
        f"/desk/knowledge-base/categories/{category.pk}/delete/", HTTP_HOST=host(tenant_b)
    )
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert Category.objects.filter(pk=category.pk).exists()
        assert ArticleRevision.objects.filter(article=article).count() == 1


def test_admin_manages_categories_in_the_desk(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    client.post(
        "/desk/knowledge-base/categories/",
        {"name": "Billing", "position": 1},
        HTTP_HOST=host(tenant_a),
    )
    with tenant_context(tenant_a):
        billing = Category.objects.get(name="Billing")
    response = client.post(
        "/desk/knowledge-base/categories/",
        {"name": "Invoices", "parent": billing.pk, "position": 0},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 302
    page = client.get("/desk/knowledge-base/categories/", HTTP_HOST=host(tenant_a)).content.decode()
    assert page.index("Billing") < page.index("Invoices")
    assert 'class="depth-1"' in page
    bad = client.post(
        f"/desk/knowledge-base/categories/{billing.pk}/",
        {"name": "", "position": 0},
        HTTP_HOST=host(tenant_a),
    )
    assert bad.status_code == 200
    assert "This field is required." in bad.content.decode()


def test_images_upload_from_the_editor_and_are_served_per_tenant(
    client, tenant_a, tenant_b, make_user, login_as
):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = client.post(
        "/desk/articles/files/",
        {"file": SimpleUploadedFile("diagram.png", PNG, "image/png")},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 201
    uploaded = response.json()
    assert uploaded["markdown"] == f"![diagram.png]({uploaded['url']})"
    served = client.get(uploaded["url"], HTTP_HOST=host(tenant_a))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG
    assert client.get(uploaded["url"], HTTP_HOST=host(tenant_b)).status_code == 404
    with tenant_context(tenant_a):
        article = article_save(
            title="With a picture", body=uploaded["markdown"], language="en", status="published"
        )
        assert f'<img alt="diagram.png" src="{uploaded["url"]}"' in article.body_html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.svg", b"<svg onload=alert(1)>", "cannot be used"),
        ("fake.png", b"<html><script>alert(1)</script>", "does not match"),
    ],
)
def test_dangerous_uploads_are_refused(
    client, tenant_a, make_user, login_as, name, content, message
):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = client.post(
        "/desk/articles/files/",
        {"file": SimpleUploadedFile(name, content)},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_customers_cannot_upload_article_files(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    response = client.post(
        "/desk/articles/files/",
        {"file": SimpleUploadedFile("a.png", PNG)},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 403
    with tenant_context(tenant_a):
        assert not Article.objects.exists()
