"""A trial that runs out without a subscription: the free default plan takes over, or, without
one, the workspace turns read-only for staff until a plan is chosen. Owners are told once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from billing.access import workspace_access_state
from billing.accounts import billing_account_open
from billing.models import BillingAccount, Plan
from billing.services import trials_end
from kefu.accounts.models import User
from kefu.tenancy import public_context
from tests.billing.webhook_helpers import inline_billing_jobs  # noqa: F401  (fixture)
from tests.conftest import host

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    with public_context():
        return Plan.objects.create(
            code="team", name="Team", monthly_base_price=Decimal(29), trial_days=14
        )


def _expire_trial(tenant) -> None:
    with public_context():
        BillingAccount.objects.filter(tenant=tenant).update(
            trial_ends_at=timezone.now() - timedelta(minutes=1)
        )


def _account(tenant) -> BillingAccount:
    with public_context():
        return BillingAccount.objects.select_related("tenant__plan").get(tenant=tenant)


def test_an_ended_trial_moves_to_the_free_default_plan_and_tells_the_owner_once(
    tenant_a,
    team,
    make_user,
    django_capture_on_commit_callbacks,
    inline_billing_jobs,  # noqa: F811
):
    with public_context():
        Plan.objects.create(code="free", name="Free", is_default=True, trial_days=0)
    billing_account_open(tenant=tenant_a, plan=team)
    owner = make_user(tenant_a, User.Role.OWNER)
    _expire_trial(tenant_a)

    with django_capture_on_commit_callbacks(execute=True):
        assert trials_end() == [tenant_a.pk]
        assert trials_end() == []

    account = _account(tenant_a)
    assert (account.tenant.plan.code, account.status) == ("free", "active")
    assert workspace_access_state(tenant_a).access == "full"
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert "now on the Free plan" in mail.outbox[0].body


def test_without_a_free_plan_the_workspace_turns_read_only_until_a_plan_is_chosen(
    client, tenant_a, team, make_user, login_as
):
    billing_account_open(tenant=tenant_a, plan=team)
    agent = make_user(tenant_a, User.Role.AGENT)
    _expire_trial(tenant_a)

    trials_end()

    login_as(tenant_a, agent)
    refused = client.post(
        "/desk/availability/", {"availability": "online"}, HTTP_HOST=host(tenant_a)
    )
    assert refused.status_code == 403
    assert "its trial ended" in refused.content.decode()
    # The owner picks a free plan: full access again at once.
    with public_context():
        free = Plan.objects.create(code="free", name="Free", trial_days=0)
    from billing.plan_change import free_plan_choose

    free_plan_choose(tenant=tenant_a, plan=free)
    assert workspace_access_state(tenant_a).access == "full"


def test_the_desk_reminds_staff_in_the_last_week_of_the_trial(
    client, tenant_a, team, make_user, login_as
):
    billing_account_open(tenant=tenant_a, plan=team)
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))
    quiet = client.get("/desk/", HTTP_HOST=host(tenant_a)).content.decode()
    with public_context():
        BillingAccount.objects.filter(tenant=tenant_a).update(
            trial_ends_at=timezone.now() + timedelta(days=3)
        )
    from billing.access import workspace_access_forget

    workspace_access_forget(tenant_a)

    reminded = client.get("/desk/", HTTP_HOST=host(tenant_a)).content.decode()

    assert "Your trial ends on" not in quiet
    assert "Your trial ends on" in reminded
