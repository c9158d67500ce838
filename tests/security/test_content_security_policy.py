"""Every HTML page sends a Content-Security-Policy under which an injected script cannot run:
no 'unsafe-inline' for scripts (nor styles), inline code only with the response's nonce, no
inline event handlers, and no framing except the widget panel (issue 14, item 6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from kefu.accounts.models import User
from kefu.tenancy import public_context, tenant_context
from kefu.tickets.links import ticket_customer_url
from tests.conftest import host
from tests.helpers import csp_policy
from tests.tickets.conftest import make_ticket  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}


@dataclass
class InlineCode(HTMLParser):
    """Inline scripts and styles (with their nonces) and attributes that run or style inline."""

    nonces: list[str | None] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        is_data = (values.get("type") or "").endswith("json")  # data blocks never execute
        if (tag == "script" and "src" not in values and not is_data) or tag == "style":
            self.nonces.append(values.get("nonce"))
        self.handlers += [
            f"<{tag} {name}>"
            for name, value in attrs
            if name.startswith("on")
            or name == "style"
            or (value or "").strip().lower().startswith("javascript:")
        ]


@pytest.fixture
def site(tenant_a, make_user, make_article, make_ticket):  # noqa: F811
    """Content behind the pages: an article, a customer's ticket, an agent, an operator."""
    article = make_article(tenant_a, "Refund policy", "Refunds take **five** days.")
    ticket = make_ticket(tenant_a, "Refund not received", requester_email="mei@alpha.example")
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        ticket_link = ticket_customer_url(ticket)
        desk = {
            name: reverse(name, args=args)
            for name, args in [
                ("desk:home", []),
                ("desk:ticket_list", []),
                ("desk:ticket_detail", [ticket.pk]),
                ("desk:article_edit", [article.pk]),
                ("desk:mail_inbox", []),
            ]
        }
    with public_context():
        operator = User.objects.create_user(
            username="ops", email="ops@kefu.example", password="x", role="owner",
            is_staff=True, is_superuser=True,
        )  # fmt: skip
    return {
        "tenant": tenant_a,
        "article": article.get_absolute_url(),
        "ticket_link": ticket_link,
        "desk": desk,
        "agent": agent,
        "operator": operator,
    }


def _visit(site: dict, page: str):
    """GET one page as the person who uses it; returns the response."""
    browser = Client()
    tenant_host = host(site["tenant"])
    if page.startswith("desk:"):
        with tenant_context(site["tenant"]):
            browser.force_login(site["agent"], backend="django.contrib.auth.backends.ModelBackend")
        return browser.get(site["desk"][page], HTTP_HOST=tenant_host)
    if page.startswith("root:"):
        if page in {"root:operator", "root:admin", "root:admin-changelist"}:
            with public_context():
                browser.force_login(
                    site["operator"], backend="django.contrib.auth.backends.ModelBackend"
                )
        path = ROOT_PAGES[page]
        return browser.get(path, HTTP_HOST="localhost")
    if page == "ticket":
        return browser.get(site["ticket_link"], HTTP_HOST=tenant_host, follow=True)
    path = site["article"] if page == "article" else HELP_CENTER_PAGES[page]
    return browser.get(path, HTTP_HOST=tenant_host)


HELP_CENTER_PAGES = {
    "help-center": "/",
    "search": "/search/?q=refund",
    "ticket-new": "/tickets/new/",
    "ticket-list": "/tickets/",
    "login": "/accounts/login/",
    "customer-signup": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "not-found": "/no-such-page/",
    "widget": "/widget/?q=refund",
}
ROOT_PAGES = {
    "root:home": "/",
    "root:signup": "/signup/",
    "root:operator": "/operator/",
    "root:admin": "/admin/",
    "root:admin-changelist": "/admin/tenants/tenant/",
    "root:admin-login": "/admin/login/",
}
PAGES = [
    *HELP_CENTER_PAGES,
    "article",
    "ticket",
    "desk:home",
    "desk:ticket_list",
    "desk:ticket_detail",
    "desk:article_edit",
    "desk:mail_inbox",
    *ROOT_PAGES,
]


def _problems(page: str, response) -> list[str]:
    """What is wrong with one page's policy, or with its HTML under that policy."""
    policy = csp_policy(response)
    if not policy:
        return ["no Content-Security-Policy"]
    problems = [
        f"{directive} allows {sorted(UNSAFE & set(policy.get(directive, ['*'])))}"
        for directive in ("script-src", "style-src")
        if UNSAFE & set(policy.get(directive, ["*"]))
    ]
    expected = {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["*"] if page == "widget" else ["'none'"],
    }
    problems += [
        f"{directive} is {policy.get(directive)}, not {sources}"
        for directive, sources in expected.items()
        if policy.get(directive) != sources
    ]
    code = InlineCode()
    code.feed(response.content.decode())
    nonce = next((s for s in policy.get("script-src", []) if s.startswith("'nonce-")), None)
    if any(found is None or f"'nonce-{found}'" != nonce for found in code.nonces):
        problems.append("inline script or style without the response's nonce")
    if code.handlers:
        problems.append(f"inline handlers or style attributes (blocked): {code.handlers[:3]}")
    return problems


def test_every_page_sends_a_policy_that_blocks_inline_scripts(site):
    problems = {}
    for page in PAGES:
        response = _visit(site, page)
        assert response.status_code == (404 if page == "not-found" else 200), page
        assert response["Content-Type"].startswith("text/html"), page
        if found := _problems(page, response):
            problems[page] = found
    assert problems == {}


def test_each_response_has_its_own_nonce(client, tenant_a):
    """Brand colours are an inline style: its nonce must not be guessable from another page."""
    first = csp_policy(client.get("/", HTTP_HOST=host(tenant_a)))["style-src"]
    second = csp_policy(client.get("/", HTTP_HOST=host(tenant_a)))["style-src"]
    assert any(source.startswith("'nonce-") for source in first)
    assert first != second
