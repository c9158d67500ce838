"""Usage reaches Stripe once: overlapping runs, outages, retries after Stripe accepted, usage with
nothing to bill it to, and one workspace's usage never billed to another's customer."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import dramatiq
import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.metering.jobs import usage_report, usage_report_all_tenants
from billing.metering.models import UsageEvent
from billing.metering.reporting import meter_event_send, usage_report_to_stripe
from billing.metering.services import usage_record_resolved_ticket
from billing.models import BillingAccount
from billing.stripe_sync import plans_sync_to_stripe, stripe_client
from kefu.tenancy import public_context, tenant_context
from kefu.tickets.models import Ticket
from tenants.models import Tenant
from tests.helpers import run_worker_until_idle

METER_EVENTS = "/v1/billing/meter_events"
#: Ticket ids of the committed test's usage, far above any real ticket, removed afterwards.
FIRST_TICKET_ID = 900_000_000
ACCOUNT_FIELDS = ("status", "stripe_customer_id", "stripe_subscription_id", "current_period_start")


def _subscribe(tenant: Tenant, *, subscription_id: str = "sub_standin_test") -> BillingAccount:
    """The workspace pays: a Stripe customer in the stand-in, an active subscription whose
    period started yesterday (set on the account as the webhook would)."""
    customer = stripe_client().v1.customers.create(
        {"email": f"owner@{tenant.slug}.example", "metadata": {"kefu_tenant_id": str(tenant.id)}}
    )
    with public_context():
        account, _created = BillingAccount.objects.get_or_create(tenant=tenant)
        account.status = BillingAccount.Status.ACTIVE
        account.stripe_customer_id = customer.id
        account.stripe_subscription_id = subscription_id
        account.current_period_start = timezone.now() - timedelta(days=1)
        account.save()
    return account


def _record(first_ticket_id: int, count: int, *, at=None) -> None:
    """``count`` resolved tickets: the first few through the recording service, the rest in
    bulk (the service is one insert each; its own tests are in test_usage_recording)."""
    through_service = min(count, 5)
    for ticket_id in range(first_ticket_id, first_ticket_id + through_service):
        usage_record_resolved_ticket(ticket=Ticket(pk=ticket_id, status=Ticket.Status.RESOLVED))
    UsageEvent.objects.bulk_create(
        UsageEvent(kind=UsageEvent.Kind.RESOLVED_TICKET, ticket_id=ticket_id,
                   occurred_at=at or timezone.now())
        for ticket_id in range(first_ticket_id + through_service, first_ticket_id + count)
    )  # fmt: skip
    if at is not None:
        UsageEvent.objects.filter(ticket_id__gte=first_ticket_id).update(occurred_at=at)


@pytest.fixture
def meter(stripe_standin):
    plans_sync_to_stripe(plans=[])  # the meter alone (no plan rows are touched)
    return stripe_standin


# --- the overlapping runs, on real workers ------------------------------------------------------


@pytest.fixture
def committed_usage(django_db_setup, django_db_blocker, meter):
    """1,000 pending resolved tickets in alpha and a paying alpha, committed so that real
    workers on their own connections see them; all of it undone afterwards."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        with public_context():
            before = BillingAccount.objects.filter(tenant=tenant).first()
            saved = {name: getattr(before, name) for name in ACCOUNT_FIELDS} if before else None
        with tenant_context(tenant):
            assert not UsageEvent.objects.filter(reported_at__isnull=True).exists()
        try:
            account = _subscribe(tenant)
            with tenant_context(tenant):
                _record(FIRST_TICKET_ID, 1000)
            yield tenant, account
        finally:
            with tenant_context(tenant):
                UsageEvent.objects.filter(ticket_id__gte=FIRST_TICKET_ID).delete()
            with public_context():
                if saved is None:
                    BillingAccount.objects.filter(tenant=tenant).delete()
                else:
                    BillingAccount.objects.filter(tenant=tenant).update(**saved)


@pytest.mark.slow
def test_two_overlapping_runs_report_1000_resolved_tickets_exactly_once(
    committed_usage, meter, caplog, record_property
):
    tenant, account = committed_usage
    broker = dramatiq.get_broker()
    broker.flush("billing")
    caplog.set_level(logging.INFO, logger="billing.metering.reporting")

    usage_report.send_to_schema(tenant.schema_name)
    usage_report.send_to_schema(tenant.schema_name)
    started = time.monotonic()
    run_worker_until_idle("billing", threads=2, timeout_ms=120_000)
    elapsed = time.monotonic() - started

    identifiers = [event["identifier"] for event in meter.meter_events]
    assert meter.metered_units(account.stripe_customer_id) == 1000
    assert len(identifiers) == len(set(identifiers)) == 1000
    assert meter.posts_to(METER_EVENTS) == 1000, "no row was even sent twice"
    runs = [record.usage for record in caplog.records if hasattr(record, "usage")]
    assert len(runs) == 2
    assert all(run["reported"] > 0 for run in runs), "both runs worked at the same time"
    assert sum(run["reported"] for run in runs) == 1000
    with tenant_context(tenant):
        rows = UsageEvent.objects.filter(ticket_id__gte=FIRST_TICKET_ID)
        assert rows.filter(outcome=UsageEvent.Outcome.REPORTED).count() == 1000
        assert set(rows.values_list("identifier", flat=True)) == set(identifiers)
    record_property("seconds_for_1000", round(elapsed, 2))  # about 3 s on a laptop
    assert elapsed < 60


# --- failures and retries (each test in its own rolled-back transaction) ---------------------


@pytest.mark.django_db
def test_an_outage_leaves_usage_pending_and_a_later_run_reports_it_once(tenant_a, meter):
    _subscribe(tenant_a)
    with tenant_context(tenant_a):
        _record(1, 3)
        meter.down = True
        first = usage_report_to_stripe()
        assert (first.reported, first.pending) == (0, 3)
        assert "500" in first.error or "down" in first.error
        failed = UsageEvent.objects.order_by("occurred_at", "id").first()
        assert failed.attempts == 1
        assert "down" in failed.last_error
        assert UsageEvent.objects.filter(reported_at__isnull=True).count() == 3
        assert meter.meter_events == []

        meter.down = False
        second = usage_report_to_stripe()
        again = usage_report_to_stripe()

        assert (second.reported, second.pending, second.error) == (3, 0, "")
        assert (again.reported, again.pending) == (0, 0)
        assert meter.metered_units() == 3
        failed.refresh_from_db()
        assert (failed.outcome, failed.last_error) == (UsageEvent.Outcome.REPORTED, "")


@pytest.mark.django_db
def test_a_run_retried_after_stripe_accepted_marks_the_row_without_counting_it_twice(
    tenant_a, meter
):
    account = _subscribe(tenant_a)
    with tenant_context(tenant_a):
        _record(1, 2)
        # An earlier run got this one to Stripe, then died before it could mark the row.
        sent = UsageEvent.objects.order_by("id").first()
        meter_event_send(stripe_client(), customer_id=account.stripe_customer_id, event=sent)

        result = usage_report_to_stripe()

        assert (result.reported, result.pending) == (2, 0)
        assert meter.metered_units(account.stripe_customer_id) == 2
        assert meter.posts_to(METER_EVENTS) == 3  # the repeat was sent and refused as duplicate
        sent.refresh_from_db()
        assert sent.outcome == UsageEvent.Outcome.REPORTED


@pytest.mark.django_db
def test_usage_without_a_subscription_is_not_billable_even_after_subscribing(tenant_a, meter):
    customer = stripe_client().v1.customers.create({"email": "owner@alpha.example"})
    with public_context():
        account, _created = BillingAccount.objects.get_or_create(tenant=tenant_a)
        account.status = BillingAccount.Status.TRIALING
        account.stripe_customer_id = customer.id  # Checkout started, never finished
        account.stripe_subscription_id = ""
        account.save()
    with tenant_context(tenant_a):
        _record(1, 4)
        result = usage_report_to_stripe()
        assert (result.reported, result.not_billable, result.pending) == (0, 4, 0)
        assert set(UsageEvent.objects.values_list("outcome", flat=True)) == {"not_billable"}
    _subscribe(tenant_a)
    with tenant_context(tenant_a):
        assert usage_report_to_stripe().reported == 0
    assert meter.posts_to(METER_EVENTS) == 0


@pytest.mark.django_db
def test_usage_before_the_subscription_started_or_too_old_for_stripe_is_not_billable(
    tenant_a, meter
):
    from billing.seed import plans_seed

    plans_seed()
    plans_sync_to_stripe()
    client = stripe_client()
    account = _subscribe(tenant_a)
    price = client.v1.prices.list({"lookup_keys": ["kefu_team_base_usd"]}).data[0]
    session = client.v1.checkout.sessions.create(
        {"mode": "subscription", "customer": account.stripe_customer_id,
         "line_items": [{"price": price.id, "quantity": 1}],
         "success_url": "https://alpha.example/desk/billing/"}
    )  # fmt: skip
    subscription_id = meter.checkout_complete_simulate(session.id)[-1]["data"]["object"][
        "subscription"
    ]
    subscription = client.v1.subscriptions.retrieve(subscription_id)
    started = datetime.fromtimestamp(subscription.start_date, tz=UTC)
    with public_context():
        BillingAccount.objects.filter(pk=account.pk).update(
            stripe_subscription_id=subscription_id, current_period_start=started
        )
    with tenant_context(tenant_a):
        _record(1, 1, at=started - timedelta(hours=1))
        _record(10, 1, at=timezone.now() - timedelta(days=40))
        _record(20, 2, at=started)

        result = usage_report_to_stripe()

        assert (result.reported, result.not_billable, result.pending) == (2, 2, 0)
        notes = dict(UsageEvent.objects.values_list("ticket_id", "last_error"))
        assert "subscription started" in notes[1]
        assert "35 days" in notes[10]
    assert meter.metered_units() == 2


@pytest.mark.django_db
def test_a_workspace_job_never_reports_another_workspace_usage(tenant_a, tenant_b, meter):
    account_a = _subscribe(tenant_a)
    account_b = _subscribe(tenant_b, subscription_id="sub_standin_beta")
    with tenant_context(tenant_a):
        _record(1, 3)
    with tenant_context(tenant_b):
        _record(1, 5)  # the same ticket ids: another schema, another ticket

    with tenant_context(tenant_a):
        assert usage_report_to_stripe().reported == 3
    assert meter.metered_units(account_a.stripe_customer_id) == 3
    assert meter.metered_units(account_b.stripe_customer_id) == 0
    with tenant_context(tenant_b):
        assert UsageEvent.objects.filter(reported_at__isnull=True).count() == 5
        assert usage_report_to_stripe().reported == 5
    assert meter.metered_units(account_a.stripe_customer_id) == 3
    assert meter.metered_units(account_b.stripe_customer_id) == 5


@pytest.mark.django_db
def test_command_reports_one_workspace_and_prints_a_json_summary(tenant_a, tenant_b, meter):
    _subscribe(tenant_a)
    with tenant_context(tenant_a):
        _record(1, 2)
        _record(5, 1, at=timezone.now() - timedelta(days=36))
    with tenant_context(tenant_b):
        _record(1, 1)
    out = StringIO()

    call_command("billing_report_usage", "--tenant", "alpha", stdout=out)

    assert json.loads(out.getvalue()) == {"reported": 2, "not_billable": 1, "pending": 0}
    with tenant_context(tenant_b):
        assert UsageEvent.objects.filter(reported_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_fan_out_sends_one_report_per_workspace_suspended_ones_included(
    tenant_a, tenant_b, monkeypatch
):
    from tenants.models import Tenant

    tenant_b.status = Tenant.Status.SUSPENDED  # its tickets resolved before still owe usage
    tenant_b.save(update_fields=["status"])
    sent: list[str] = []
    monkeypatch.setattr(usage_report, "send_to_schema", sent.append)

    usage_report_all_tenants.fn()

    assert {"t_alpha", "t_beta"} <= set(sent)
    assert len(sent) == len(set(sent))
    assert not any(name == "public" or name.startswith("_") for name in sent)
