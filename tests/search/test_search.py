"""The one search function: Chinese and English, ranking, isolation, logging, learning."""

from __future__ import annotations

import pytest

from kefu.kb.services import article_record_view, article_save, article_vote
from kefu.search import segment
from kefu.search.engine import search
from kefu.search.learning import phrasing_forget
from kefu.search.models import LearnedPhrasing, SearchLog
from kefu.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def _titles(results) -> list[str]:
    return [hit.article.title for hit in results.hits]


@pytest.mark.usefixtures("words_only")
def test_english_is_stemmed_and_stop_words_ignored(tenant_a, make_article):
    make_article(tenant_a, "How do I reset my password?", "Choose Forgot password on sign-in.")
    make_article(tenant_a, "Shipping times", "Parcels arrive in three days.")
    with tenant_context(tenant_a):
        assert _titles(search("resetting passwords")) == ["How do I reset my password?"]
        assert _titles(search("the and of")) == []


@pytest.mark.usefixtures("words_only")
def test_chinese_is_segmented_at_index_and_query_time(tenant_a, make_article):
    make_article(
        tenant_a, "如何重置密码？", "在登录页点击忘记密码，输入注册邮箱。", language="zh-hans"
    )
    make_article(
        tenant_a, "发票什么时候开具？", "每个账单周期结束后开具电子发票。", language="zh-hans"
    )
    with tenant_context(tenant_a):
        assert _titles(search("密码忘了怎么办"))[0] == "如何重置密码？"
        assert _titles(search("电子发票"))[0] == "发票什么时候开具？"


@pytest.mark.usefixtures("words_only")
def test_mixed_chinese_and_english_text(tenant_a, make_article):
    make_article(
        tenant_a, "iPhone 无法登录", "更新 iOS 后如果无法登录，请重新安装 app。", language="zh-hans"
    )
    with tenant_context(tenant_a):
        assert _titles(search("iphone 登录")) == ["iPhone 无法登录"]
        assert _titles(search("app 安装")) == ["iPhone 无法登录"]


def test_custom_dictionary_keeps_product_names_whole():
    assert "客服宝" not in segment.terms("客服宝怎么开通")
    assert "客服宝" in segment.terms("客服宝怎么开通", custom_words=("客服宝",))


def test_snippets_mark_the_query_words_and_escape_the_text(tenant_a, make_article):
    make_article(tenant_a, "Refunds", "Refunds <b>arrive</b> within 5 days & never later.")
    with tenant_context(tenant_a):
        snippet = str(search("refunds").hits[0].snippet)
    assert "<mark>Refunds</mark>" in snippet
    assert "<b>" not in snippet
    assert "&amp;" in snippet


@pytest.mark.usefixtures("words_only")
def test_drafts_and_archived_articles_are_never_found(tenant_a, make_article):
    make_article(tenant_a, "Secret roadmap", "zebra launch", status="draft")
    make_article(tenant_a, "Old zebra policy", "zebra", status="archived")
    with tenant_context(tenant_a):
        assert search("zebra").hits == []


@pytest.mark.usefixtures("words_only")
def test_unpublishing_removes_an_article_from_search(tenant_a, make_article):
    article = make_article(tenant_a, "Zebra care", "zebra")
    with tenant_context(tenant_a):
        assert _titles(search("zebra")) == ["Zebra care"]
        article_save(article=article, title="Zebra care", body="zebra", language="en",
                     status="draft", index_now=True)  # fmt: skip
        assert search("zebra").hits == []


@pytest.mark.usefixtures("words_only")
def test_search_never_returns_another_tenants_article(tenant_a, tenant_b, make_article):
    make_article(tenant_a, "Alpha only okapi article", "okapi")
    with tenant_context(tenant_b):
        assert search("okapi").hits == []
    with tenant_context(tenant_a):
        assert len(search("okapi").hits) == 1


@pytest.mark.usefixtures("words_only")
def test_every_search_is_logged_with_its_result_count(tenant_a, make_article):
    make_article(tenant_a, "Invoices", "invoice copies")
    with tenant_context(tenant_a):
        search("invoice", visitor_key="v1")
        search("spaceship", visitor_key="v1")
        logged = dict(SearchLog.objects.values_list("query", "result_count"))
    assert logged == {"invoice": 1, "spaceship": 0}


@pytest.mark.usefixtures("words_only")
def test_better_matches_rank_first(tenant_a, make_article):
    make_article(tenant_a, "Change your delivery address", "Edit the address before shipping.")
    make_article(tenant_a, "Delivery times", "Most orders arrive in three days.")
    with tenant_context(tenant_a):
        assert _titles(search("change delivery address"))[0] == "Change your delivery address"


@pytest.mark.usefixtures("words_only")
def test_popularity_lifts_an_equally_relevant_article(tenant_a, make_article):
    first = make_article(tenant_a, "Printer setup guide", "printer")
    second = make_article(tenant_a, "Printer setup guide", "printer")
    with tenant_context(tenant_a):
        assert [h.article.pk for h in search("printer").hits] == [first.pk, second.pk]
        for visitor in ("a", "b", "c"):
            article_vote(article=second, visitor_key=visitor, helpful=True)
        assert [h.article.pk for h in search("printer").hits] == [second.pk, first.pk]


@pytest.mark.usefixtures("words_only")
def test_a_helpful_vote_after_a_search_teaches_that_wording(tenant_a, make_article):
    article = make_article(tenant_a, "Reset your password", "Use the forgot password link.")
    with tenant_context(tenant_a):
        assert search("locked out of my account", log=False).hits == []
        log = search("locked out of my account", visitor_key="v9").log
        article_record_view(article=article, visitor_key="v9", search_log=log)
        article_vote(article=article, visitor_key="v9", helpful=True, search_log=log)
        assert LearnedPhrasing.objects.get().text == "locked out of my account"
        # Another customer, other words, same meaning: found now.
        assert _titles(search("account locked")) == ["Reset your password"]

        phrasing_forget(phrasing=LearnedPhrasing.objects.get())
        assert search("account locked").hits == []


def test_unhelpful_votes_teach_nothing(tenant_a, make_article):
    article = make_article(tenant_a, "Reset your password", "forgot link")
    with tenant_context(tenant_a):
        log = search("locked out", visitor_key="v1").log
        article_vote(article=article, visitor_key="v1", helpful=False, search_log=log)
        assert not LearnedPhrasing.objects.exists()


def test_clicks_are_recorded_on_the_search_that_led_there(tenant_a, make_article):
    article = make_article(tenant_a, "Refund policy", "refund")
    with tenant_context(tenant_a):
        log = search("refund", visitor_key="v2").log
        article_record_view(article=article, visitor_key="v2", search_log=log)
        log.refresh_from_db()
    assert log.clicked_article_id == article.pk


def test_meaning_finds_answers_that_share_no_words(tenant_a, make_article):
    make_article(tenant_a, "Refund policy", "We return your payment within five days.")
    make_article(tenant_a, "Shipping times", "Parcels arrive in three days.")
    with tenant_context(tenant_a):
        assert _titles(search("how do I get my money back"))[0] == "Refund policy"


def test_meaning_alone_does_not_return_unrelated_articles(tenant_a, make_article):
    make_article(tenant_a, "Refund policy", "We return your payment within five days.")
    with tenant_context(tenant_a):
        assert search("spaceship engine warranty").hits == []


def test_the_meaning_threshold_is_a_setting_read_at_search_time(tenant_a, make_article, settings):
    make_article(tenant_a, "Refund policy", "We return your payment within five days.")
    settings.KEFU_SEARCH_MIN_SIMILARITY = 1.01  # no text is that similar: meaning alone finds none
    with tenant_context(tenant_a):
        assert search("how do I get my money back").hits == []


def test_a_learned_phrasing_is_matched_by_meaning(tenant_a, make_article):
    claims = make_article(
        tenant_a, "Carrier claims", "File a claim with the carrier when goods go missing."
    )
    make_article(tenant_a, "Shipping times", "Parcels arrive in three days.")
    with tenant_context(tenant_a):
        log = search("my parcel never showed up", visitor_key="v3").log
        article_record_view(article=claims, visitor_key="v3", search_log=log)
        article_vote(article=claims, visitor_key="v3", helpful=True, search_log=log)
        # Shares no word with the phrasing or the article: found by question-to-question meaning.
        assert _titles(search("the package I ordered did not arrive"))[0] == "Carrier claims"


@pytest.mark.usefixtures("words_only")
def test_reindex_command_rebuilds_a_lost_index(tenant_a, make_article):
    from django.core.management import call_command

    from kefu.search.models import SearchEntry, SearchPosting, SearchTerm

    make_article(tenant_a, "Okapi feeding guide", "okapi")
    with tenant_context(tenant_a):
        SearchPosting.objects.all().delete()
        SearchEntry.objects.all().delete()
        SearchTerm.objects.all().delete()
        assert search("okapi").hits == []
    call_command("search_reindex", tenant="alpha", missing_only=True)
    with tenant_context(tenant_a):
        assert _titles(search("okapi")) == ["Okapi feeding guide"]


def test_reindex_missing_only_upgrades_an_index_made_before_question_vectors(
    tenant_a, tenant_b, make_article
):
    from io import StringIO

    from django.core.management import call_command

    from kefu.search.models import SearchEntry

    make_article(tenant_a, "Refund policy", "We return your payment within five days.")
    make_article(tenant_b, "Opening hours", "We answer from nine to five.")
    with tenant_context(tenant_a):
        # As an index built before question vectors existed: passage vectors only.
        SearchEntry.objects.update(question_embedding=None)
    out = StringIO()
    call_command("search_reindex", missing_only=True, stdout=out)
    assert "alpha: 1 articles" in out.getvalue()
    assert "beta" not in out.getvalue(), "a complete index is left alone"
    with tenant_context(tenant_a):
        assert not SearchEntry.objects.filter(question_embedding__isnull=True).exists()
        assert _titles(search("how do I get my money back"))[0] == "Refund policy"
