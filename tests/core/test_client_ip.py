"""Per-address limits hold against a forged X-Forwarded-For, and behind our own proxies they count
the real client, not the proxy (issue 14, item 4)."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from django.test import RequestFactory, override_settings

from kefu.accounts.models import User
from kefu.core.ratelimit import client_ip
from kefu.tenancy import public_context
from tenants.models import AuditEntry
from tests.conftest import PASSWORD, host

pytestmark = pytest.mark.django_db

PROXIES = (ip_network("10.0.0.0/8"),)
BEHIND_PROXY = {"REMOTE_ADDR": "10.0.0.2"}


def _forged(attempt: int) -> dict[str, str]:
    """A new made-up address on every request, as an attacker would send."""
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{attempt}"}


def _via_proxy(client_address: str, forged: str = "") -> dict[str, str]:
    chain = f"{forged}, {client_address}" if forged else client_address
    return {**BEHIND_PROXY, "HTTP_X_FORWARDED_FOR": chain}


def _signup(client, attempt: int, **meta: str):
    data = {
        "company_name": "Gamma Tea Co.",
        "subdomain": f"gamma-{attempt}x",
        "full_name": "Gao Ming",
        "email": f"gao{attempt}@gamma.example",
        "password": "x",  # invalid on purpose: the limit counts attempts, no workspace is made
    }
    return client.post("/signup/", data, HTTP_HOST="localhost", **meta)


def _ticket(client, tenant, attempt: int, **meta: str):
    form = {
        "subject": f"Invoice address {attempt}",
        "description": "Change the VAT number.",
        "name": "Casey",
        "email": f"casey{attempt}@example.com",
    }
    return client.post("/tickets/new/", form, HTTP_HOST=host(tenant), **meta)


def _failed_login(client, tenant, email: str, **meta: str):
    return client.post(
        "/accounts/login/", {"login": email, "password": "wrong"}, HTTP_HOST=host(tenant), **meta
    )


LOCKED = "Too many failed login attempts"


# --- no proxy configured (the default): the header is never believed --------------------------


@override_settings(KEFU_SIGNUP_LIMIT_PER_IP="2/3600")
def test_forged_forwarded_for_does_not_reset_the_signup_limit(client):
    codes = [_signup(client, attempt, **_forged(attempt)).status_code for attempt in range(3)]
    assert codes[2] == 429, codes


@override_settings(KEFU_SEARCH_LIMIT_PER_IP="2/60")
def test_forged_forwarded_for_does_not_reset_the_search_suggestion_limit(client, tenant_a):
    codes = [
        client.get("/search/suggest/?q=refund", HTTP_HOST=host(tenant_a), **_forged(n)).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    api = client.get("/api/v1/search?q=refund", HTTP_HOST=host(tenant_a), **_forged(9))
    assert api.status_code == 429


@override_settings(KEFU_TICKET_SUBMIT_LIMIT_PER_IP="2/3600")
def test_forged_forwarded_for_does_not_reset_the_ticket_submit_limit(client, tenant_a):
    codes = [_ticket(client, tenant_a, n, **_forged(n)).status_code for n in range(3)]
    assert codes == [302, 302, 429]


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip"})
def test_forged_forwarded_for_does_not_reset_the_login_lock(client, tenant_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT)
    for attempt in range(3):
        response = _failed_login(client, tenant_a, f"nobody{attempt}@x.example", **_forged(attempt))
        assert LOCKED not in response.content.decode()
    locked = _failed_login(client, tenant_a, agent.email, **_forged(7))
    assert LOCKED in locked.content.decode()


def test_without_trusted_proxies_the_connection_address_is_the_client():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", **_forged(1))
    assert client_ip(request) == "203.0.113.7"


# --- behind a configured proxy: the client the proxy saw ---------------------------------------


@override_settings(KEFU_TRUSTED_PROXIES=PROXIES, KEFU_SIGNUP_LIMIT_PER_IP="2/3600")
def test_behind_a_proxy_the_signup_limit_counts_each_real_client(client):
    first = [_signup(client, n, **_via_proxy("203.0.113.7", f"192.0.2.{n}")) for n in range(3)]
    assert [response.status_code for response in first][2] == 429
    other = _signup(client, 9, **_via_proxy("203.0.113.8"))
    assert other.status_code != 429, "another client behind the same proxy is not locked out"


@override_settings(KEFU_TRUSTED_PROXIES=PROXIES, KEFU_TICKET_SUBMIT_LIMIT_PER_IP="1/3600")
def test_behind_a_proxy_the_ticket_limit_counts_each_real_client(client, tenant_a):
    assert _ticket(client, tenant_a, 1, **_via_proxy("203.0.113.7")).status_code == 302
    assert _ticket(client, tenant_a, 2, **_via_proxy("203.0.113.7", "1.2.3.4")).status_code == 429
    assert _ticket(client, tenant_a, 3, **_via_proxy("203.0.113.8")).status_code == 302


@override_settings(KEFU_TRUSTED_PROXIES=PROXIES, ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip"})
def test_behind_a_proxy_the_login_lock_holds_only_the_real_client(client, tenant_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT)
    for attempt in range(3):
        _failed_login(client, tenant_a, f"nobody{attempt}@x.example", **_via_proxy("203.0.113.7"))
    locked = _failed_login(client, tenant_a, agent.email, **_via_proxy("203.0.113.7", "1.2.3.4"))
    assert LOCKED in locked.content.decode()
    signed_in = client.post(
        "/accounts/login/",
        {"login": agent.email, "password": PASSWORD},
        HTTP_HOST=host(tenant_a),
        **_via_proxy("203.0.113.8"),
    )
    assert signed_in.status_code == 302, "another client behind the same proxy can sign in"


@override_settings(KEFU_TRUSTED_PROXIES=PROXIES)
def test_the_operator_audit_log_records_the_real_client(client, tenant_a):
    with public_context():
        operator = User.objects.create_user(
            username="ops", email="ops@kefu.example", password="x", is_staff=True, role="owner"
        )
        client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    chain = {**BEHIND_PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.7, 10.1.1.1"}
    client.post(
        f"/operator/tenants/{tenant_a.pk}/suspend/", {"reason": "x"}, HTTP_HOST="localhost", **chain
    )
    client.post(f"/operator/tenants/{tenant_a.pk}/resume/", HTTP_HOST="localhost", **_forged(1))
    entries = AuditEntry.objects.filter(tenant=tenant_a).order_by("created_at", "id")
    assert [(e.action, e.ip_address) for e in entries] == [
        ("suspend", "203.0.113.7"),  # past both of our proxies, not the forged first entry
        ("resume", "127.0.0.1"),  # straight to us: the header is ignored
    ]


@override_settings(KEFU_TRUSTED_PROXIES=PROXIES)
@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("", "10.0.0.2"),  # the proxy itself (a health check)
        ("garbage, 203.0.113.7", "203.0.113.7"),
        ("203.0.113.7, garbage", "10.0.0.2"),  # a hop we cannot read: nearest address we trust
        ("10.3.3.3, 10.2.2.2", "10.3.3.3"),  # only proxies: the farthest one
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_forwarded_for_is_walked_from_the_right_past_our_proxies(forwarded_for, expected):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded_for, **BEHIND_PROXY)
    assert client_ip(request) == expected
