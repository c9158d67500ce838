"""What crawlers and audits (Lighthouse) read from the help center: a description per page, an
icon at /favicon.ico, gzipped text; and a search that finds nothing still leads to a person."""

from __future__ import annotations

import gzip
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.contacts.services import contact_for_user
from kefu.tenancy import tenant_context
from kefu.tickets.services.thread import ticket_reply
from tests.conftest import host
from tests.tickets.conftest import make_ticket  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def _description(page: str) -> str:
    match = DESCRIPTION.search(page)
    assert match, "the page has a meta description"
    return html.unescape(match.group(1))


def test_home_describes_the_workspace_help_center_in_both_languages(client, tenant_a):
    english = client.get("/", HTTP_HOST=host(tenant_a)).content.decode()
    assert _description(english).startswith(f"The {tenant_a.name} help center")
    chinese = client.get("/", HTTP_HOST=host(tenant_a), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _description(chinese.content.decode()).startswith(f"{tenant_a.name}帮助中心")


def test_an_article_is_described_by_its_summary_else_its_first_words(
    client, tenant_a, make_article
):
    summarised = make_article(
        tenant_a, "Shipping times", "Long text.", summary="Tea ships in 2 days & arrives fresh."
    )
    page = client.get(summarised.get_absolute_url(), HTTP_HOST=host(tenant_a)).content.decode()
    assert _description(page) == "Tea ships in 2 days & arrives fresh."
    body = "Brew <b>green</b> tea at 80 °C & wait " + "and wait " * 40
    plain = make_article(tenant_a, "Brewing", body)
    page = client.get(plain.get_absolute_url(), HTTP_HOST=host(tenant_a)).content.decode()
    description = _description(page)
    assert description.startswith("Brew green tea at 80 °C & wait")
    assert "<" not in description
    assert len(description) <= 160


def test_ticket_form_and_root_domain_have_their_own_description(client, tenant_a):
    form = client.get("/tickets/new/", HTTP_HOST=host(tenant_a)).content.decode()
    assert _description(form).startswith(f"Ask {tenant_a.name} support")
    root = client.get("/", HTTP_HOST="localhost").content.decode()
    assert _description(root).startswith("Kefu")


@pytest.mark.parametrize("where", ["tenant", "root"])
def test_favicon_is_served_and_linked(client, tenant_a, where):
    hostname = host(tenant_a) if where == "tenant" else "localhost"
    icon = client.get("/favicon.ico", HTTP_HOST=hostname)
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert icon.content.startswith(b"<svg")
    page = client.get("/", HTTP_HOST=hostname).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon[^"]*\.svg"', page)


def test_pages_are_gzipped_when_the_client_accepts_it(client, tenant_a):
    plain = client.get("/", HTTP_HOST=host(tenant_a))
    assert "Content-Encoding" not in plain
    zipped = client.get("/", HTTP_HOST=host(tenant_a), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert "Content-Security-Policy" in zipped, "the policy still goes out with compressed pages"
    text = gzip.decompress(zipped.content).decode()
    assert text.startswith("<!doctype html>")
    assert f"{tenant_a.name} help center" in text
    assert len(zipped.content) < len(plain.content) / 2


def test_attachments_are_not_gzipped(client, tenant_a, make_user, login_as, make_ticket):  # noqa: F811
    alice = make_user(tenant_a, "customer", email="alice@alpha.example")
    agent = make_user(tenant_a, "agent")
    with tenant_context(tenant_a):
        requester = contact_for_user(user=alice)
    ticket = make_ticket(tenant_a, "Receipt", requester=requester, actor=alice)
    with tenant_context(tenant_a):
        receipt = SimpleUploadedFile("receipt.pdf", b"%PDF " + b"x" * 500)
        ticket_reply(ticket=ticket, author=agent, body="Here it is.", attachments=[receipt])
        attachment = ticket.attachments.get()
    login_as(tenant_a, alice)
    download = client.get(
        f"/tickets/{ticket.pk}/attachments/{attachment.pk}/",
        HTTP_HOST=host(tenant_a),
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert download.status_code == 200
    assert "Content-Encoding" not in download, "a download keeps its bytes and its length"


def test_a_search_with_no_results_offers_contact_with_the_query(client, tenant_a):
    page = client.get("/search/?q=lost parcel 飞船", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'id="no-results"' in page
    assert (
        'id="search-contact-support" href="/tickets/new/?q=lost%20parcel%20%E9%A3%9E%E8%88%B9"'
        in page
    )
    chinese = client.get(
        "/search/?q=飞船", HTTP_HOST=host(tenant_a), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "问问我们的团队" in chinese
    form = client.get("/tickets/new/?q=lost parcel", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'value="lost parcel"' in form, "the query becomes the request's subject"


def test_results_do_not_show_the_no_results_contact(client, tenant_a, make_article):
    make_article(tenant_a, "Lost parcel", "What to do when a parcel is lost.")
    page = client.get("/search/?q=lost parcel", HTTP_HOST=host(tenant_a)).content.decode()
    assert "search-contact-support" not in page


def test_the_widget_offers_contact_with_the_query_when_nothing_matched(client, tenant_a):
    panel = client.get("/widget/?q=spaceship", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'id="widget-no-results"' in panel
    assert 'href="/tickets/new/?q=spaceship"' in panel


def test_vote_buttons_use_shipped_icons_not_emoji(client, tenant_a, make_article):
    article = make_article(tenant_a, "Returns", "Send it back within 30 days.")
    page = client.get(article.get_absolute_url(), HTTP_HOST=host(tenant_a)).content.decode()
    assert "👍" not in page
    assert "👎" not in page
    for button in ("vote-yes", "vote-no"):
        start = page.index(f'id="{button}"')
        markup = page[start : page.index("</button>", start)]
        assert '<svg class="icon"' in markup
        assert 'aria-hidden="true"' in markup, "the icon is decoration; the text names the button"
