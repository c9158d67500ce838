"""Article content is sanitised; views and votes count once; popularity orders categories."""

from __future__ import annotations

import pytest

from kefu.kb.models import Article, Category
from kefu.kb.services import article_record_view, article_vote
from kefu.tenancy import tenant_context
from tests.conftest import host

pytestmark = pytest.mark.django_db

HOSTILE = """Hello <script>alert('x')</script>

<img src="https://example.com/a.png" onerror="alert(1)">

[click me](javascript:alert(document.cookie))
and <a href="https://ok.example" onclick="steal()">ok</a>

<iframe src="https://evil.example"></iframe>
"""


def test_article_html_is_sanitised(client, tenant_a, make_article):
    article = make_article(tenant_a, "Hostile", HOSTILE)
    html = article.body_html
    for bad in ("<script", "onerror", "javascript:", "onclick", "<iframe"):
        assert bad not in html, bad
    assert '<img src="https://example.com/a.png"' in html
    assert 'href="https://ok.example"' in html
    page = client.get(article.get_absolute_url(), HTTP_HOST=host(tenant_a)).content.decode()
    assert "alert(" not in page.split('<div class="article-body">')[1].split("</div>")[0]


def test_markdown_is_rendered(tenant_a, make_article):
    article = make_article(tenant_a, "Formatting", "# Title\n\n- one\n- **two**\n\n`code`")
    assert "<li><strong>two</strong></li>" in article.body_html
    assert "<code>code</code>" in article.body_html


def test_a_draft_is_invisible_to_customers(client, tenant_a, make_article):
    draft = make_article(tenant_a, "Unreleased feature zebra", status="draft")
    assert client.get(draft.get_absolute_url(), HTTP_HOST=host(tenant_a)).status_code == 404
    assert "Unreleased" not in client.get("/", HTTP_HOST=host(tenant_a)).content.decode()
    assert (
        "Unreleased"
        not in client.get("/search/?q=zebra", HTTP_HOST=host(tenant_a)).content.decode()
    )
    assert client.get("/api/v1/search?q=zebra", HTTP_HOST=host(tenant_a)).json()["results"] == []
    assert "zebra" not in client.get("/sitemap.xml", HTTP_HOST=host(tenant_a)).content.decode()


def test_a_view_counts_once_per_visitor_per_day(tenant_a, make_article):
    article = make_article(tenant_a, "Counting")
    with tenant_context(tenant_a):
        assert article_record_view(article=article, visitor_key="v1")
        assert not article_record_view(article=article, visitor_key="v1")
        assert article_record_view(article=article, visitor_key="v2")
        assert Article.objects.get(pk=article.pk).view_count == 2


def test_a_visitor_votes_once_and_can_change_their_mind(tenant_a, make_article):
    article = make_article(tenant_a, "Voting")
    with tenant_context(tenant_a):
        article_vote(article=article, visitor_key="v1", helpful=True)
        article_vote(article=article, visitor_key="v1", helpful=True)
        fresh = Article.objects.get(pk=article.pk)
        assert (fresh.helpful_count, fresh.unhelpful_count) == (1, 0)
        article_vote(article=article, visitor_key="v1", helpful=False)
        fresh = Article.objects.get(pk=article.pk)
        assert (fresh.helpful_count, fresh.unhelpful_count) == (0, 1)


def test_category_page_orders_by_popularity_after_votes_and_views(client, tenant_a, make_article):
    with tenant_context(tenant_a):
        category = Category.objects.create(name="Orders", slug="orders")
    quiet = make_article(tenant_a, "Quiet article", category=category)
    loved = make_article(tenant_a, "Loved article", category=category)
    url = f"/categories/{category.pk}-orders/"

    def order() -> list[str]:
        page = client.get(url, HTTP_HOST=host(tenant_a)).content.decode()
        return sorted(["Quiet article", "Loved article"], key=page.index)

    with tenant_context(tenant_a):
        article_record_view(article=quiet, visitor_key="early")
    assert order() == ["Quiet article", "Loved article"]
    with tenant_context(tenant_a):
        for visitor in ("a", "b"):
            article_record_view(article=loved, visitor_key=visitor)
            article_vote(article=loved, visitor_key=visitor, helpful=True)
    assert order() == ["Loved article", "Quiet article"]


def test_co_read_articles_become_related_even_without_shared_words(
    client, tenant_a, make_article, settings
):
    from kefu.kb.related import related_refresh

    settings.KEFU_SEMANTIC_SEARCH = False
    invoice = make_article(tenant_a, "Invoice copies", "download invoices")
    vat = make_article(tenant_a, "Tax numbers", "add your registration code")
    make_article(tenant_a, "Shipping times", "parcels arrive")
    with tenant_context(tenant_a):
        for visitor in ("a", "b", "c"):
            article_record_view(article=invoice, visitor_key=visitor)
            article_record_view(article=vat, visitor_key=visitor)
        assert related_refresh() >= 2
    page = client.get(invoice.get_absolute_url(), HTTP_HOST=host(tenant_a)).content.decode()
    related = page.split('id="related-articles"')[1].split("</ul>")[0]
    assert "Tax numbers" in related
    assert "Shipping times" not in related
