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
