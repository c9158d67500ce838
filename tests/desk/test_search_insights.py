"""The desk shows searches that found nothing and what search has learned."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.kb.services import article_vote
from kefu.search.engine import search
from kefu.search.models import LearnedPhrasing
from kefu.tenancy import tenant_context
from tests.conftest import host

pytestmark = pytest.mark.django_db


@pytest.fixture
def learned(tenant_a, make_article):
    article = make_article(tenant_a, "Reset your password", "forgot link")
    with tenant_context(tenant_a):
        search("spaceship warranty", visitor_key="v1")
        search("SPACESHIP warranty", visitor_key="v2")
        log = search("cannot sign in", visitor_key="v3").log
        article_vote(article=article, visitor_key="v3", helpful=True, search_log=log)
        return LearnedPhrasing.objects.get()


def test_agents_see_searches_without_results_and_learned_phrasings(
    client, tenant_a, make_user, login_as, learned
):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    page = client.get("/desk/search/", HTTP_HOST=host(tenant_a)).content.decode()
    table = page.split('id="searches-without-results"')[1].split("</table>")[0]
    assert "spaceship warranty" in table
    assert "<td>2</td>" in table, "the same search in other letter case counts together"
    assert "cannot sign in" in page.split('id="learned-phrasings"')[1]
    assert "Forget" not in page.split('id="learned-phrasings"')[1], "only admins forget"


def test_customers_cannot_open_search_insights(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    assert client.get("/desk/search/", HTTP_HOST=host(tenant_a)).status_code == 403


def test_admin_forgets_a_phrasing_agents_and_other_tenants_cannot(
    client, tenant_a, tenant_b, make_user, login_as, learned
):
    url = f"/desk/search/phrasings/{learned.pk}/forget/"
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert client.post(url, HTTP_HOST=host(tenant_a)).status_code == 403
    login_as(tenant_b, make_user(tenant_b, User.Role.ADMIN))
    assert client.post(url, HTTP_HOST=host(tenant_b)).status_code == 404
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    assert client.post(url, HTTP_HOST=host(tenant_a)).status_code == 302
    with tenant_context(tenant_a):
        assert not LearnedPhrasing.objects.exists()


def test_articles_read_before_a_ticket_are_listed(
    client, tenant_a, make_user, login_as, make_article
):
    from kefu.contacts.services import contact_for_email
    from kefu.tickets.services.creation import ticket_create

    read = make_article(tenant_a, "Changing your delivery address")
    unread = make_article(tenant_a, "Gift cards")
    with tenant_context(tenant_a):
        requester = contact_for_email(email="reader@example.com")
        for subject in ("Address change failed", "Still the old address"):
            ticket_create(
                subject=subject, description="", requester=requester,
                self_service_trail=[
                    {"kind": "search", "query": "address"},
                    {"kind": "article", "article_id": read.pk, "title": read.title},
                ],
            )  # fmt: skip
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    page = client.get("/desk/search/", HTTP_HOST=host(tenant_a)).content.decode()
    table = page[page.index('id="read-before-tickets"') :]
    table = table[: table.index("</table>")]
    assert "Changing your delivery address" in table
    assert "<td>2</td>" in table
    assert unread.title not in table


def test_ticket_form_questions_are_logged_by_subject_with_personal_data_masked(
    client, tenant_a, make_user, login_as
):
    from kefu.search.models import SearchLog
    from kefu.tickets.deflection import good_answers

    with tenant_context(tenant_a):
        good_answers(
            subject="Parcel QM20241103001 never came, mail li.na@example.com",
            description="Call me on 138 1234 5678, I live at 5 Long Road",
            visitor_key="v9",
        )
        search("refund to wang@example.com for order 88812345", visitor_key="v9")
        question = SearchLog.objects.get(source=SearchLog.Source.TICKET_FORM)
        typed = SearchLog.objects.get(source=SearchLog.Source.HELP_CENTER)
    assert question.query == "Parcel QM••• never came, mail •••", "the subject only, masked"
    assert typed.query == "refund to ••• for order •••"
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    page = client.get("/desk/search/", HTTP_HOST=host(tenant_a)).content.decode()
    for private in ("20241103001", "li.na@example.com", "1234 5678", "Long Road", "wang@"):
        assert private not in page
    searches = page.split('id="searches-without-results"')[1].split("</table>")[0]
    top = page.split('id="top-searches"')[1].split("</table>")[0]
    questions = page.split('id="unanswered-questions"')[1].split("</table>")[0]
    assert "refund to ••• for order •••" in searches
    assert "parcel" not in searches, "a question is not a search"
    assert "parcel" not in top
    assert "parcel qm••• never came" in questions


def test_migration_masks_search_log_rows_written_before_masking(tenant_a):
    import importlib

    from django.apps import apps

    from kefu.search.models import SearchLog

    migration = importlib.import_module("kefu.search.migrations.0008_searchlog_mask_personal_data")
    with tenant_context(tenant_a):
        question = SearchLog.objects.create(
            query="Where is order 20241103001\nMy phone is 13812345678 and I am upset",
            source=SearchLog.Source.TICKET_FORM, result_count=0,
        )  # fmt: skip
        typed = SearchLog.objects.create(
            query="invoice for me@example.com", source=SearchLog.Source.WIDGET, result_count=0
        )
        kept = SearchLog.objects.create(
            query="iPhone 15 case", source=SearchLog.Source.HELP_CENTER, result_count=1
        )
        migration.mask_existing(apps, None)
        question.refresh_from_db()
        typed.refresh_from_db()
        kept.refresh_from_db()
    assert question.query == "Where is order •••"
    assert typed.query == "invoice for •••"
    assert kept.query == "iPhone 15 case"
