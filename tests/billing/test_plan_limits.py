"""A plan's staff limit bites where staff are added: invitations and reactivation."""

from __future__ import annotations

import pytest

from billing.models import Plan
from kefu.accounts.models import User
from kefu.tenancy import tenant_context
from tests.conftest import host


@pytest.fixture
def small_plan(tenant_a):
    plan = Plan.objects.create(name="Starter", code="starter-limits", max_agents=2)
    tenant_a.plan = plan
    tenant_a.save(update_fields=["plan"])
    return plan


def test_inviting_staff_over_the_plan_limit_is_refused_with_a_clear_message(
    client, tenant_a, make_user, login_as, small_plan
):
    owner = make_user(tenant_a, User.Role.OWNER)
    login_as(tenant_a, owner)
    first = client.post(
        "/desk/team/", {"email": "ann@example.com", "role": "agent"}, HTTP_HOST=host(tenant_a)
    )
    assert first.status_code == 302  # the owner and Ann's invitation: 2 seats
    refused = client.post(
        "/desk/team/", {"email": "bob@example.com", "role": "agent"}, HTTP_HOST=host(tenant_a)
    )
    assert "Your plan (Starter) allows 2 staff members" in refused.content.decode()
    assert '<a href="/desk/billing/">See plans and upgrade</a>' in refused.content.decode()
    with tenant_context(tenant_a):
        from kefu.accounts.models import Invitation
        from kefu.accounts.services import invitation_create

        assert list(Invitation.objects.values_list("email", flat=True)) == ["ann@example.com"]
        invitation_create(email="cat@example.com", role="customer", invited_by=owner)  # free


def test_reactivating_staff_over_the_limit_is_refused(
    client, tenant_a, make_user, login_as, small_plan
):
    owner = make_user(tenant_a, User.Role.OWNER)
    agent = make_user(tenant_a, User.Role.AGENT)
    former = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        User.objects.filter(pk=former.pk).update(is_active=False)
    login_as(tenant_a, owner)
    response = client.post(
        f"/desk/team/{former.pk}/reactivate/", HTTP_HOST=host(tenant_a), follow=True
    )
    assert "allows 2 staff members" in response.content.decode()
    assert '<a href="/desk/billing/">See plans and upgrade</a>' in response.content.decode()
    with tenant_context(tenant_a):
        assert not User.objects.get(pk=former.pk).is_active
        User.objects.filter(pk=agent.pk).update(is_active=False)
    client.post(f"/desk/team/{former.pk}/reactivate/", HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert User.objects.get(pk=former.pk).is_active
