"""``kefu scheduler --once`` sends the SLA check; a real worker runs it in every workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import dramatiq
import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kefu.core.management.commands.scheduler import scheduler_tick
from kefu.tenancy import tenant_context
from kefu.tickets.models import SlaNotice, SlaPolicy
from tenants.models import Tenant
from tenants.services import tenant_delete, tenant_provision
from tests.helpers import run_worker_until_idle
from tests.tickets.routing_helpers import make_agent, make_ticket


@pytest.fixture
def clock_tenant(django_db_setup, django_db_blocker):
    """A workspace with committed rows, so the worker's own connections can see them."""
    with django_db_blocker.unblock():
        for leftover in Tenant.objects.filter(slug="sla-clock"):
            tenant_delete(tenant=leftover)
        tenant = tenant_provision(slug="sla-clock", name="SLA clock")
        try:
            yield tenant
        finally:
            connection.set_schema_to_public()
            tenant_delete(tenant=tenant)


@pytest.mark.slow
def test_scheduler_once_sends_the_check_that_a_worker_runs_in_each_workspace(clock_tenant):
    broker = dramatiq.get_broker()
    broker.flush("sla")
    with tenant_context(clock_tenant):
        agent = make_agent()
        policy = SlaPolicy.objects.create(
            name="Fast",
            first_response_minutes=5,
            resolution_minutes=600,
            business_hours_only=False,
        )
        overdue = make_ticket(
            assignee=agent,
            sla_policy=policy,
            sla_state="ok",
            first_response_due_at=timezone.now() - timedelta(minutes=1),
            resolution_due_at=timezone.now() + timedelta(hours=5),
        )
    cache.add(f"kefu:scheduler:related:{timezone.now().date().isoformat()}", 1)  # SLA only
    out = StringIO()

    call_command("scheduler", "--once", stdout=out)
    run_worker_until_idle("sla", threads=2, timeout_ms=60_000)
    dramatiq.get_broker().flush("billing")  # the usage report it also sent is not tested here

    assert "sla_check_all_tenants" in out.getvalue()
    with tenant_context(clock_tenant):
        overdue.refresh_from_db()
        assert overdue.sla_state == "breached"
        assert SlaNotice.objects.filter(ticket=overdue).count() == 1
    assert [m.to for m in mail.outbox if f"#{overdue.pk} " in m.subject] == [[agent.email]]


@pytest.mark.django_db
def test_a_tick_is_sent_once_however_many_schedulers_run():
    broker = dramatiq.get_broker()
    # 10 seconds into a 5-minute slot: the next minute's tick is still in the same slot.
    now = datetime.fromtimestamp(int(timezone.now().timestamp()) // 300 * 300 + 10, tz=UTC)
    try:
        assert scheduler_tick(now=now, interval=60) == [
            "sla_check_all_tenants",
            "billing_dunning_check",
            "usage_report_all_tenants",
            "related_refresh",
            "drafts_cleanup",
            "exports_expire",
        ]
        assert scheduler_tick(now=now, interval=60) == []
        assert scheduler_tick(now=now + timedelta(seconds=60), interval=60) == [
            "sla_check_all_tenants",
            "billing_dunning_check",
        ]
        assert "usage_report_all_tenants" in scheduler_tick(
            now=now + timedelta(seconds=300), interval=60
        )
    finally:
        broker.flush("sla")
        broker.flush("billing")
        broker.flush("search")
        broker.flush("maintenance")
