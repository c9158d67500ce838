"""A read-only workspace: staff can read but not change anything in the desk or through the
API; the billing page, sign-out, customers and the help center are untouched. A grace period
only shows a banner."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.access import workspace_access
from billing.accounts import billing_account_get
from billing.models import BillingAccount
from kefu.accounts.models import User
from kefu.accounts.services import api_token_create
from kefu.tenancy import public_context, tenant_context
from kefu.tickets.models import Ticket
from tests.conftest import host

pytestmark = pytest.mark.django_db

AVAILABILITY = "/desk/availability/"


def _set(tenant, **fields) -> BillingAccount:
    """Change the account with save(), as the services do (that drops the cached access)."""
    account = billing_account_get(tenant=tenant)
    with public_context():
        for name, value in fields.items():
            setattr(account, name, value)
        account.save()
    return account


def overdue(tenant) -> BillingAccount:
    now = timezone.now()
    return _set(tenant, status="past_due", grace_until=now - timedelta(days=1),
                read_only_since=now)  # fmt: skip


@pytest.fixture
def agent(tenant_a, make_user, login_as):
    user = make_user(tenant_a, User.Role.AGENT)
    login_as(tenant_a, user)
    return user


def test_access_follows_the_account_and_is_never_served_stale(tenant_a):
    assert workspace_access(tenant_a) == "full"
    _set(tenant_a, status="past_due", grace_until=timezone.now() + timedelta(days=3))
    assert workspace_access(tenant_a) == "grace"
    _set(tenant_a, grace_until=timezone.now() - timedelta(seconds=1))
    assert workspace_access(tenant_a) == "read_only", "a passed grace period counts at once"
    _set(tenant_a, status="active", grace_until=None)
    assert workspace_access(tenant_a) == "full"
    _set(tenant_a, status="canceled", retain_until=timezone.now() + timedelta(days=90))
    assert workspace_access(tenant_a) == "read_only"


def test_a_cached_grace_answer_expires_with_the_grace_period(tenant_a):
    """No save (so no cache clearing) between the two reads: only the cache's own expiry,
    capped at the end of grace, turns the answer to read-only."""
    _set(tenant_a, status="past_due", grace_until=timezone.now() + timedelta(seconds=1))
    assert workspace_access(tenant_a) == "grace"  # cached now

    time.sleep(1.2)

    assert workspace_access(tenant_a) == "read_only"


def test_an_agents_change_in_the_desk_is_refused_but_reading_is_not(client, tenant_a, agent):
    overdue(tenant_a)

    refused = client.post(AVAILABILITY, {"availability": "away"}, HTTP_HOST=host(tenant_a))
    page = client.get("/desk/", HTTP_HOST=host(tenant_a))

    assert refused.status_code == 403
    text = refused.content.decode()
    assert "read-only because payment is overdue" in text
    assert 'href="/desk/billing/"' in text
    assert page.status_code == 200
    assert 'id="billing-banner"' in page.content.decode()
    with tenant_context(tenant_a):
        agent.refresh_from_db()
        profile = getattr(agent, "agent_profile", None)
        assert profile is None or profile.availability != "away"


def test_a_desk_request_asking_for_json_gets_json(client, tenant_a, agent):
    overdue(tenant_a)

    refused = client.post(
        AVAILABILITY, {"availability": "away"}, HTTP_HOST=host(tenant_a),
        HTTP_ACCEPT="application/json",
    )  # fmt: skip

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "workspace_read_only"


def test_the_api_refuses_changes_but_still_answers_reads(client, tenant_a, make_user):
    user = make_user(tenant_a, User.Role.ADMIN)
    with tenant_context(tenant_a):
        _token, secret = api_token_create(user=user, name="CI")
    overdue(tenant_a)
    auth = {"HTTP_HOST": host(tenant_a), "HTTP_AUTHORIZATION": f"Bearer {secret}"}

    created = client.post(
        "/api/v1/tickets",
        data=json.dumps({"subject": "x", "description": "y", "requester": {"email": "a@b.c"}}),
        content_type="application/json",
        **auth,
    )
    listed = client.get("/api/v1/tickets", **auth)

    assert created.status_code == 403
    assert created.json()["error"]["code"] == "workspace_read_only"
    assert "pay to restore access" in created.json()["error"]["message"]
    assert listed.status_code == 200
    with tenant_context(tenant_a):
        assert not Ticket.objects.exists()


def test_the_billing_page_and_signing_out_stay_open(client, tenant_a, make_user, login_as):
    owner = make_user(tenant_a, User.Role.OWNER)
    login_as(tenant_a, owner)
    overdue(tenant_a)

    currency = client.post("/desk/billing/currency/", {"currency": "EUR"}, HTTP_HOST=host(tenant_a))
    logout = client.post("/accounts/logout/", HTTP_HOST=host(tenant_a))

    assert currency.status_code == 303
    assert billing_account_get(tenant=tenant_a).currency == "EUR"
    assert logout.status_code == 302


def test_customers_still_submit_requests_in_the_help_center(client, tenant_a, make_user, login_as):
    overdue(tenant_a)
    question = {"subject": "Where is my order", "description": "It has not arrived.",
                "name": "Casey", "email": "casey@example.com"}  # fmt: skip

    anonymous = client.post("/tickets/new/", question, HTTP_HOST=host(tenant_a))
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    signed_in = client.post("/tickets/new/", question, HTTP_HOST=host(tenant_a))
    help_center = client.get("/", HTTP_HOST=host(tenant_a))

    assert anonymous.status_code == 302, anonymous.content.decode()[:500]
    assert signed_in.status_code == 302
    assert help_center.status_code == 200
    assert 'id="billing-banner"' not in help_center.content.decode()


def test_another_workspace_is_not_affected(client, tenant_a, tenant_b, make_user, login_as):
    overdue(tenant_a)
    login_as(tenant_b, make_user(tenant_b, User.Role.AGENT))

    response = client.post(AVAILABILITY, {"availability": "away"}, HTTP_HOST=host(tenant_b))

    assert response.status_code == 302
    assert workspace_access(tenant_b) == "full"


def test_during_grace_staff_keep_full_access_with_a_banner_naming_the_date(client, tenant_a, agent):
    _set(tenant_a, status="past_due", grace_until=timezone.now() + timedelta(days=5))

    changed = client.post(AVAILABILITY, {"availability": "away"}, HTTP_HOST=host(tenant_a))
    page = client.get("/desk/", HTTP_HOST=host(tenant_a)).content.decode()

    assert changed.status_code == 302
    assert "Payment failed — update your card by" in page
    assert 'href="/desk/billing/"' not in page.split('id="billing-banner"')[1].split("</div>")[0]


def test_paying_unblocks_at_once_despite_the_cache(client, tenant_a, agent):
    overdue(tenant_a)
    assert client.post(AVAILABILITY, {}, HTTP_HOST=host(tenant_a)).status_code == 403

    _set(tenant_a, status="active", grace_until=None, read_only_since=None)

    assert client.post(AVAILABILITY, {}, HTTP_HOST=host(tenant_a)).status_code == 302
    page = client.get("/desk/", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'id="billing-banner"' not in page


def test_a_canceled_workspace_is_read_only_and_says_how_long_data_is_kept(
    client, tenant_a, make_user, login_as
):
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))
    _set(tenant_a, status="canceled", canceled_at=timezone.now(),
         retain_until=timezone.now() + timedelta(days=90))  # fmt: skip

    refused = client.post(AVAILABILITY, {}, HTTP_HOST=host(tenant_a))
    page = client.get("/desk/", HTTP_HOST=host(tenant_a)).content.decode()

    assert refused.status_code == 403
    assert "subscription was canceled" in refused.content.decode()
    assert "Its data is kept until" in page
    assert 'href="/desk/billing/"' in page
