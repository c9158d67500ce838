"""Guided answers: an outline becomes a decision tree; customers walk it; "No" leads to contact
with the path taken."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.kb import guided
from kefu.kb.models import Article, GuidedOutcome
from kefu.tenancy import tenant_context
from tests.conftest import host

OUTLINE = """? Which device?
  - iPhone
    ? Is the app up to date?
      - Yes
        ! Restart the phone.
      - No
        ! Update the app.
  - Android
    ! Clear the cache."""


def test_outline_becomes_a_tree():
    flow = guided.parse_flow(OUTLINE).to_json()
    step, labels = guided.walk(flow, [0, 1])
    assert (step["kind"], step["text"], labels) == ("answer", "Update the app.", ["iPhone", "No"])
    assert guided.walk(flow, [5])[1] == [], "a path that does not exist stops at the start"


@pytest.mark.parametrize(
    ("outline", "message"),
    [
        ("! Just an answer", "starts with a question"),
        ("? Only one option\n  - A\n    ! a", "at least two options"),
        ("? Q\n  - A\n  - B\n    ! b", "Line 2: this option leads nowhere"),
        ("? Q\n  - A\n    ! a\n  - B\n    ! b\nstray", "Line 6: start with ?"),
    ],
)
def test_broken_outlines_say_which_line(outline, message):
    with pytest.raises(guided.FlowError, match=message):
        guided.parse_flow(outline)


@pytest.fixture
def flow_article(tenant_a, make_article):
    return make_article(tenant_a, "Phone trouble", OUTLINE, kind=Article.Kind.GUIDED)


@pytest.mark.django_db
def test_customer_walks_to_an_answer_and_says_it_solved_it(client, tenant_a, flow_article):
    url = flow_article.get_absolute_url()
    start = client.get(url, HTTP_HOST=host(tenant_a)).content.decode()
    assert "Which device?" in start
    assert 'href="?path=0"' in start
    middle = client.get(f"{url}?path=0", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Is the app up to date?" in middle
    end = client.get(f"{url}?path=0.1", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Update the app." in end
    assert "Did this solve it?" in end
    response = client.post(
        f"/articles/{flow_article.pk}/guided/", {"path": "0.1", "solved": "yes"},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    assert "Glad that solved it!" in response.content.decode()
    with tenant_context(tenant_a):
        outcome = GuidedOutcome.objects.get()
        assert (outcome.labels, outcome.solved) == (["iPhone", "No"], True)
        assert Article.objects.get(pk=flow_article.pk).helpful_count == 1


@pytest.mark.django_db
def test_no_leads_to_contact_with_the_path_taken(client, tenant_a, flow_article):
    response = client.post(
        f"/articles/{flow_article.pk}/guided/", {"path": "1", "solved": "no"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    page = response.content.decode()
    path = page.split('id="guided-contact-path"')[1].split("</ol>")[0]
    assert "Phone trouble" in path
    assert "Android" in path
    with tenant_context(tenant_a):
        assert GuidedOutcome.objects.get().solved is False


@pytest.mark.django_db
def test_guided_answers_are_searchable_by_their_steps(tenant_a, flow_article, settings):
    from kefu.search.engine import search

    settings.KEFU_SEMANTIC_SEARCH = False
    with tenant_context(tenant_a):
        assert [h.article.title for h in search("android cache").hits] == ["Phone trouble"]


@pytest.mark.django_db
def test_agents_edit_guided_answers_and_see_outline_errors(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    data = {"title": "Printer", "language": "en", "status": "published"}
    broken = client.post(
        "/desk/articles/guided/new/", data | {"outline": "? Q\n  - only\n    ! a"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    assert broken.status_code == 200
    assert "at least two options" in broken.content.decode()
    saved = client.post(
        "/desk/articles/guided/new/", data | {"outline": OUTLINE}, HTTP_HOST=host(tenant_a)
    )
    assert saved.status_code == 302
    with tenant_context(tenant_a):
        article = Article.objects.get(title="Printer")
    assert article.kind == "guided"
    assert article.flow["options"][1]["label"] == "Android"


@pytest.mark.django_db
def test_customers_cannot_edit_guided_answers(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    assert client.get("/desk/articles/guided/new/", HTTP_HOST=host(tenant_a)).status_code == 403
