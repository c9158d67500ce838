"""The channel limit bites where channels are added and reactivated, with a link to the plans;
only a workspace's admins reach its channel settings."""

from __future__ import annotations

import pytest

from billing.limits import PlanLimitError, channel_check, channels_used
from billing.models import Plan
from kefu.accounts.models import User
from kefu.messaging.models import Channel
from kefu.tenancy import tenant_context
from tests.conftest import host

URL = "/desk/settings/channels/"
UPGRADE_LINK = '<a href="/desk/billing/">See plans and upgrade</a>'


@pytest.fixture
def team_plan(tenant_a):
    plan = Plan.objects.create(name="Team", code="team-channels", max_channels=3)
    tenant_a.plan = plan
    tenant_a.save(update_fields=["plan"])
    return plan


@pytest.fixture
def admin_client(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    return client


def _add(client, tenant, name, kind="email", address=""):
    address = address or f"{name.lower().replace(' ', '-')}@example.com"
    return client.post(
        URL, {"kind": kind, "name": name, "address": address}, HTTP_HOST=host(tenant)
    )


def test_adding_a_channel_over_the_plan_limit_is_refused_with_a_message_and_upgrade_link(
    admin_client, tenant_a, team_plan
):
    assert _add(admin_client, tenant_a, "Sales").status_code == 302
    assert _add(admin_client, tenant_a, "Web form", kind="web_form").status_code == 302

    refused = _add(admin_client, tenant_a, "Partners")

    page = refused.content.decode()
    assert refused.status_code == 400
    assert "Your plan (Team) allows 3 channels, and they are all in use" in page
    assert UPGRADE_LINK in page
    with tenant_context(tenant_a):
        assert sorted(Channel.objects.values_list("name", flat=True)) == ["Sales", "Web form"]
        assert channels_used() == 3  # the support address is the first


def test_deactivating_frees_a_place_and_reactivating_over_the_limit_is_refused(
    admin_client, tenant_a, team_plan
):
    _add(admin_client, tenant_a, "Sales")
    _add(admin_client, tenant_a, "Partners")
    with tenant_context(tenant_a):
        sales, partners = Channel.objects.order_by("name").reverse()
    toggle = f"{URL}{sales.pk}/active/"
    admin_client.post(toggle, {"active": "0"}, HTTP_HOST=host(tenant_a))
    assert _add(admin_client, tenant_a, "Contact page", kind="web_form").status_code == 302

    response = admin_client.post(toggle, {"active": "1"}, HTTP_HOST=host(tenant_a), follow=True)

    page = response.content.decode()
    assert "allows 3 channels" in page
    assert UPGRADE_LINK in page
    with tenant_context(tenant_a):
        sales.refresh_from_db()
        assert not sales.is_active
        partners.refresh_from_db()
        assert partners.is_active


def test_an_email_channel_needs_an_address_and_no_limit_means_no_refusal(admin_client, tenant_a):
    refused = _add(admin_client, tenant_a, "Sales", address="not an address")
    assert "Enter the email address customers write to." in refused.content.decode()
    with tenant_context(tenant_a):
        tenant_a.plan = None
        tenant_a.save(update_fields=["plan"])
        channel_check(adding=50)  # no plan: no limit
        plan = Plan.objects.create(name="Tiny", code="tiny-channels", max_channels=1)
        tenant_a.plan = plan
        tenant_a.save(update_fields=["plan"])
        with pytest.raises(PlanLimitError, match="allows 1 channel, your support address"):
            channel_check()


def test_the_page_shows_the_built_in_address_and_the_count(admin_client, tenant_a, team_plan):
    response = admin_client.get(URL, HTTP_HOST=host(tenant_a))
    page = response.content.decode()
    assert response.status_code == 200
    assert "support@alpha." in page
    assert "1 of 3 channels in use on your plan." in page
    assert 'href="/desk/settings/channels/" aria-current="page"' in page


def test_agents_and_other_workspaces_cannot_reach_the_channel_settings(
    client, tenant_a, tenant_b, make_user, login_as
):
    with tenant_context(tenant_a):
        channel = Channel.objects.create(kind="sms", name="SMS", address="+86 10 1234")
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert client.get(URL, HTTP_HOST=host(tenant_a)).status_code == 403
    toggle = f"{URL}{channel.pk}/active/"
    assert client.post(toggle, {"active": "0"}, HTTP_HOST=host(tenant_a)).status_code == 403

    client.logout()
    other_admin = make_user(tenant_b, User.Role.ADMIN)
    login_as(tenant_b, other_admin)
    assert client.get(URL, HTTP_HOST=host(tenant_a)).status_code == 302  # to A's login
    login_as(tenant_b, other_admin)
    assert client.post(toggle, {"active": "0"}, HTTP_HOST=host(tenant_a)).status_code == 302
    login_as(tenant_b, other_admin)
    assert client.post(toggle, {"active": "0"}, HTTP_HOST=host(tenant_b)).status_code == 404
    assert "data-channel=" not in client.get(URL, HTTP_HOST=host(tenant_b)).content.decode()
    with tenant_context(tenant_a):
        channel.refresh_from_db()
        assert channel.is_active
