"""The help center over HTTP: search page, suggestions, votes, API, sitemap, isolation."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from kefu.kb.models import Article
from kefu.search.models import LearnedPhrasing, SearchLog
from kefu.tenancy import tenant_context
from tests.conftest import host
from tests.helpers import csp_policy, run_kefu

pytestmark = pytest.mark.django_db


def test_search_page_shows_highlighted_results_and_logs_them(client, tenant_a, make_article):
    make_article(tenant_a, "Change your delivery address", "Edit the address before shipping.")
    page = client.get("/search/?q=delivery address", HTTP_HOST=host(tenant_a)).content.decode()
    assert "1 article found" in page
    assert "<mark>address</mark>" in page
    with tenant_context(tenant_a):
        log = SearchLog.objects.get()
    assert f"?sq={log.pk}" in page


def test_search_page_says_when_nothing_matched_in_chinese(client, tenant_a):
    page = client.get(
        "/search/?q=飞船", HTTP_HOST=host(tenant_a), HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()
    assert "没有找到与“飞船”相关的文章" in page


def test_suggestions_return_titles_as_you_type(client, tenant_a, make_article):
    make_article(tenant_a, "如何重置密码？", "忘记密码", language="zh-hans")
    data = client.get("/search/suggest/?q=密码", HTTP_HOST=host(tenant_a)).json()
    assert [s["title"] for s in data["suggestions"]] == ["如何重置密码？"]
    with tenant_context(tenant_a):
        assert not SearchLog.objects.exists(), "keystrokes are not logged as searches"


def test_voting_helpful_from_a_search_learns_the_wording(client, tenant_a, make_article):
    article = make_article(tenant_a, "Reset your password", "forgot link")
    client.get("/search/?q=cannot sign in", HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        log = SearchLog.objects.get()
    client.get(f"{article.get_absolute_url()}?sq={log.pk}", HTTP_HOST=host(tenant_a))
    response = client.post(
        f"/articles/{article.pk}/vote/", {"helpful": "yes", "sq": log.pk}, HTTP_HOST=host(tenant_a)
    )
    assert response.status_code == 302
    with tenant_context(tenant_a):
        assert LearnedPhrasing.objects.get().text == "cannot sign in"
        assert Article.objects.get(pk=article.pk).helpful_count == 1
    page = client.get(article.get_absolute_url(), HTTP_HOST=host(tenant_a)).content.decode()
    assert "1 person found this helpful." in page
    assert "cannot sign in" not in page, "learned phrasings are never shown to customers"


def test_a_stolen_search_id_teaches_nothing(client, tenant_a, make_article):
    article = make_article(tenant_a, "Reset your password", "forgot link")
    with tenant_context(tenant_a):
        other = SearchLog.objects.create(
            query="buy cheap pills", source="help_center", result_count=0, visitor_key="victim"
        )
    client.post(
        f"/articles/{article.pk}/vote/",
        {"helpful": "yes", "sq": other.pk},
        HTTP_HOST=host(tenant_a),
    )
    with tenant_context(tenant_a):
        assert not LearnedPhrasing.objects.exists()


def test_api_search_returns_the_documented_keys(client, tenant_a, make_article):
    make_article(tenant_a, "Refund policy", "Refunds take five days.")
    response = client.get("/api/v1/search?q=refund&limit=5", HTTP_HOST=host(tenant_a))
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert set(result) == {"id", "title", "snippet", "url", "score"}
    assert result["url"].startswith("http://alpha.localhost/articles/")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_api_search_validates_its_input(client, tenant_a):
    assert client.get("/api/v1/search", HTTP_HOST=host(tenant_a)).status_code == 400
    assert client.get("/api/v1/search?q=x&limit=lots", HTTP_HOST=host(tenant_a)).status_code == 400


@override_settings(KEFU_SEARCH_LIMIT_PER_IP="3/60")
def test_search_is_rate_limited_per_ip(client, tenant_a):
    codes = [
        client.get("/api/v1/search?q=x", HTTP_HOST=host(tenant_a)).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert client.get("/search/?q=x", HTTP_HOST=host(tenant_a)).status_code == 429


def test_other_tenants_articles_are_not_reachable(client, tenant_a, tenant_b, make_article):
    article = make_article(tenant_a, "Alpha secret okapi", "okapi")
    assert client.get(article.get_absolute_url(), HTTP_HOST=host(tenant_b)).status_code == 404
    assert client.get("/api/v1/search?q=okapi", HTTP_HOST=host(tenant_b)).json()["results"] == []
    vote = client.post(
        f"/articles/{article.pk}/vote/", {"helpful": "yes"}, HTTP_HOST=host(tenant_b)
    )
    assert vote.status_code == 404


def test_sitemap_lists_published_articles(client, tenant_a, make_article):
    article = make_article(tenant_a, "Public answer")
    body = client.get("/sitemap.xml", HTTP_HOST=host(tenant_a)).content.decode()
    assert f"http://alpha.localhost{article.get_absolute_url()}" in body


def test_article_pages_link_their_translations(client, tenant_a, make_article):
    english = make_article(tenant_a, "Reset your password")
    chinese = make_article(tenant_a, "重置密码", language="zh-hans")
    with tenant_context(tenant_a):
        chinese.translation_of = english
        chinese.save()
    page = client.get(english.get_absolute_url(), HTTP_HOST=host(tenant_a)).content.decode()
    assert chinese.get_absolute_url() in page


def test_bench_search_prints_quality_json(tmp_path):
    faq = tmp_path / "faq.jsonl"
    queries = tmp_path / "queries.jsonl"
    faq.write_text(
        "\n".join(
            json.dumps(line, ensure_ascii=False)
            for line in [
                {"id": 1, "question": "How do I reset my password?", "answer": "Use the link."},
                {"id": 2, "question": "如何开发票？", "answer": None},
                {"id": 3, "question": None, "answer": "Refunds take five days. Ask support."},
            ]
        )
    )
    queries.write_text(
        "\n".join(
            json.dumps(line, ensure_ascii=False)
            for line in [
                {"qid": "a", "query": "password reset", "relevant_ids": [1]},
                {"qid": "b", "query": "发票怎么开", "relevant_ids": [2]},
                {"qid": "c", "query": "when do refunds arrive", "relevant_ids": [3]},
            ]
        )
    )
    result = run_kefu("bench_search", "--faq", str(faq), "--queries", str(queries))
    assert result.returncode == 0, result.stderr
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    assert numbers["faq"] == 3
    assert numbers["queries"] == 3
    assert numbers["recall@3"] == 1.0
    assert set(numbers) >= {"recall@1", "mrr@10", "p50_ms", "p95_ms", "learned"}


@pytest.mark.parametrize("split", [False, True])
def test_bench_search_splits_recall_between_taught_and_untaught(tmp_path, split):
    faq = tmp_path / "faq.jsonl"
    learn = tmp_path / "learn.jsonl"
    queries = tmp_path / "queries.jsonl"
    entries = [
        (1, "How do I reset my password?", "Use the forgot password link."),
        (2, "When do refunds arrive?", "Refunds take five days."),
        (3, "How do I change my delivery address?", "Edit it on the order page."),
        (4, "Can I pay by bank transfer?", "Yes, choose bank transfer at checkout."),
    ]
    faq.write_text(
        "\n".join(json.dumps({"id": i, "question": q, "answer": a}) for i, q, a in entries)
    )
    lines = [
        {"qid": f"q{i}", "query": q.lower().rstrip("?"), "relevant_ids": [i]} for i, q, _ in entries
    ]
    learn.write_text("\n".join(json.dumps(line) for line in lines))
    queries.write_text("\n".join(json.dumps(line) for line in lines))
    args = ["--faq", str(faq), "--queries", str(queries), "--learn", str(learn)]
    result = run_kefu("bench_search", *args, *(["--split-articles"] if split else []))
    assert result.returncode == 0, result.stderr
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    keys = {
        "recall@3_taught",
        "recall@3_untaught",
        "cold_recall@3_taught",
        "cold_recall@3_untaught",
    }
    assert set(numbers) >= keys | {"cold_recall@3", "taught_queries", "untaught_queries"}
    assert numbers["split_articles"] is split
    if split:  # half the articles taught, the other half asked untaught
        assert (numbers["learned"], numbers["taught_queries"], numbers["untaught_queries"]) == (
            2,
            2,
            2,
        )
    else:
        assert (numbers["learned"], numbers["taught_queries"], numbers["untaught_queries"]) == (
            4,
            4,
            0,
        )
        assert numbers["recall@3_untaught"] is None
    assert numbers["recall@3_taught"] == 1.0


def test_bench_search_split_needs_learning():
    result = run_kefu("bench_search", "--faq", "x", "--queries", "y", "--split-articles")
    assert result.returncode != 0
    assert "--split-articles needs --learn" in result.stderr


def test_widget_script_is_served_for_any_site(client, tenant_a):
    response = client.get("/widget.js", HTTP_HOST=host(tenant_a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "attachShadow" in body
    assert '"http://alpha.localhost"' in body or "http:\\u002F\\u002Falpha.localhost" in body


def _without_nonces(policy: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        name: [s for s in sources if not s.startswith("'nonce-")]
        for name, sources in policy.items()
    }


def test_widget_panel_can_be_framed_and_searches_this_tenant_only(
    client, tenant_a, tenant_b, make_article
):
    make_article(tenant_a, "Alpha okapi guide", "okapi")
    panel = client.get("/widget/?q=okapi", HTTP_HOST=host(tenant_a))
    assert "X-Frame-Options" not in panel
    policy = csp_policy(panel)
    assert policy.pop("frame-ancestors") == ["*"], "any site may frame the panel"
    home = csp_policy(client.get("/", HTTP_HOST=host(tenant_a)))
    assert home.pop("frame-ancestors") == ["'none'"]
    assert _without_nonces(policy) == _without_nonces(home), "the rest holds as on every page"
    assert "Alpha okapi guide" in panel.content.decode()
    other = client.get("/widget/?q=okapi", HTTP_HOST=host(tenant_b)).content.decode()
    assert "Alpha okapi guide" not in other
    assert client.get("/", HTTP_HOST=host(tenant_a))["X-Frame-Options"] == "DENY"
