"""Several people adding at once never take a workspace past its plan's limits.

Each adder has its own thread and database connection and only sees committed rows, so the
test runs in a workspace of its own, deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from billing.models import Plan
from kefu.accounts.models import Invitation, User
from kefu.accounts.services import StaffLimitError, invitation_create, user_create
from kefu.messaging.models import Channel
from kefu.messaging.services import channel_create
from kefu.tenancy import tenant_context
from tests.helpers import committed_tenant, run_together

ADDERS = 6


@pytest.fixture
def race_tenant(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        Plan.objects.filter(code="race-small").delete()
        plan = Plan.objects.create(name="Small", code="race-small", max_agents=2, max_channels=2)
        with committed_tenant("limits-race", "Limits race") as tenant:
            tenant.plan = plan
            tenant.save(update_fields=["plan"])
            yield tenant
        plan.delete()


def test_simultaneous_invitations_fill_the_last_staff_seat_once(race_tenant):
    with tenant_context(race_tenant):
        owner = user_create(email="owner@race.example", password=None, role=User.Role.OWNER)

    def invite(number: int) -> Callable[[], object]:
        def call() -> object:
            with tenant_context(race_tenant):
                return invitation_create(
                    email=f"agent{number}@race.example", role=User.Role.AGENT, invited_by=owner
                )

        return call

    results = run_together([invite(n) for n in range(ADDERS)])
    refused = [r for r in results if isinstance(r, StaffLimitError)]
    assert len(refused) == ADDERS - 1, results
    with tenant_context(race_tenant):
        assert Invitation.objects.filter(revoked_at=None).count() == 1  # owner + 1 = the plan's 2


def test_simultaneous_channels_take_the_last_place_once(race_tenant):
    def add(number: int) -> Callable[[], object]:
        def call() -> object:
            with tenant_context(race_tenant):
                return channel_create(kind=Channel.Kind.WEB_FORM, name=f"Form {number}")

        return call

    run_together([add(n) for n in range(ADDERS)])
    with tenant_context(race_tenant):
        assert Channel.objects.filter(is_active=True).count() == 1  # + the support address = 2
