"""One language rule across the help center (``kefu.kb.selectors.article_list_for_reader``)
and category names in the reader's language."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.kb.categories import category_save
from kefu.kb.models import Category
from kefu.search.engine import search
from kefu.tenancy import tenant_context
from tests.conftest import host

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def shelf(tenant_a, make_article):
    """The category "Shipping" (配送): an English original with its Chinese translation, an
    English-only and a Chinese-only article."""
    with tenant_context(tenant_a):
        shipping = category_save(name="Shipping", name_zh_hans="配送")
    original = make_article(tenant_a, "Shipping times", "Parcels take three days.",
                            category=shipping)  # fmt: skip
    translation = make_article(tenant_a, "发货时间", "包裹三天送达。", language="zh-hans",
                               category=shipping)  # fmt: skip
    with tenant_context(tenant_a):
        translation.translation_of = original
        translation.save(update_fields=["translation_of"])
    make_article(tenant_a, "Customs fees", "Fees are paid on delivery.", category=shipping)
    make_article(tenant_a, "茶叶保存", "密封避光保存。", language="zh-hans", category=shipping)
    return shipping


def _section(page: str, marker: str) -> str:
    return page.split(marker)[1].split("</section>", maxsplit=1)[0].split("</ol>", maxsplit=1)[0]


def test_chinese_reader_sees_translations_in_place_of_originals_with_one_count(
    client, tenant_a, shelf
):
    home = client.get("/", HTTP_HOST=host(tenant_a), **ZH).content.decode()
    articles = _section(home, 'id="articles-heading"')
    assert "发货时间" in articles
    assert "Customs fees" in articles, "no Chinese version: the English one shows"
    assert "茶叶保存" in articles
    assert "Shipping times" not in articles, "its Chinese translation replaces it"
    categories = _section(home, 'id="categories-heading"')
    assert "配送" in categories
    assert "Shipping" not in categories
    assert "(3)" in categories, "the count follows the same rule as the lists"
    page = client.get(f"/categories/{shelf.pk}-{shelf.slug}/", HTTP_HOST=host(tenant_a), **ZH)
    listed = _section(page.content.decode(), 'id="category-articles"')
    assert listed.count("<li>") == 3
    assert "Shipping times" not in listed
    assert "<h1>配送</h1>" in page.content.decode()


def test_english_reader_sees_originals_and_untranslated_chinese_articles(client, tenant_a, shelf):
    home = client.get("/", HTTP_HOST=host(tenant_a), **EN).content.decode()
    articles = _section(home, 'id="articles-heading"')
    assert "Shipping times" in articles
    assert "发货时间" not in articles
    assert "茶叶保存" in articles
    categories = _section(home, 'id="categories-heading"')
    assert "Shipping" in categories
    assert "(3)" in categories
    hot = _section(home, 'id="hot-heading"')
    assert "发货时间" not in hot


def test_search_and_widget_follow_the_same_rule(client, tenant_a, shelf):
    with tenant_context(tenant_a):
        both = {hit.article.title for hit in search("shipping times 发货时间", log=False).hits}
        chinese = {
            hit.article.title
            for hit in search("shipping times 发货时间", log=False, reader_language="zh-hans").hits
        }
    assert {"Shipping times", "发货时间"} <= both
    assert "发货时间" in chinese
    assert "Shipping times" not in chinese
    page = client.get("/search/?q=shipping times", HTTP_HOST=host(tenant_a), **ZH)
    assert "Shipping times" not in page.content.decode()
    widget = client.get("/widget/", HTTP_HOST=host(tenant_a), **ZH).content.decode()
    assert "Shipping times" not in widget


def test_category_name_falls_back_to_its_own_name():
    named = Category(name="Shipping", name_zh_hans="配送", name_en="")
    assert named.name_for("zh-hans") == "配送"
    assert named.name_for("en") == "Shipping", "no English name: the name as written"
    chinese_first = Category(name="茶叶", name_en="Tea")
    assert chinese_first.name_for("en") == "Tea"
    assert chinese_first.name_for("zh-hans") == "茶叶"


def test_admin_edits_category_names_in_both_languages(client, tenant_a, make_user, login_as):
    with tenant_context(tenant_a):
        category = category_save(name="Shipping")
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    url = f"/desk/knowledge-base/categories/{category.pk}/"
    form = client.get(url, HTTP_HOST=host(tenant_a)).content.decode()
    assert 'name="name_zh_hans"' in form
    response = client.post(
        url,
        {"name": "Shipping", "name_zh_hans": "配送", "name_en": "Delivery", "position": 0},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 302
    with tenant_context(tenant_a):
        category.refresh_from_db()
    assert (category.name_zh_hans, category.name_en) == ("配送", "Delivery")
