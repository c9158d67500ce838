"""Reporting recorded usage to Stripe as Billing Meter events (inside a workspace's schema).

Every pending ``UsageEvent`` ends in one of two outcomes, once:

- ``reported``: Stripe accepted a meter event with the row's identifier (or refused it as a
  duplicate: an earlier run was accepted but did not get to mark the row);
- ``not_billable``: there is nothing to bill it to (no Stripe customer or subscription: trial,
  free plan, canceled), it happened before the subscription started, or it is older than Stripe
  accepts (35 days). Such usage is never billed later, even if the workspace subscribes.

Rows are claimed in batches with ``SELECT ... FOR UPDATE SKIP LOCKED``, so overlapping runs (two
workers, a retried message, the scheduler and the command) share the work and never send the
same row twice. A row is marked in the claiming transaction right after Stripe answers. A Stripe
error or outage stops the run; the batch still commits, so rows Stripe already accepted stay
marked, and the failing row keeps its error for the next run. If the process dies between
Stripe's answer and the commit, the next run sends the same identifier again and Stripe's
refusal of the duplicate marks it: usage is never counted twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from billing.metering.models import UsageEvent
from billing.models import BillingAccount
from billing.stripe_sync import METER_CUSTOMER_KEY, METER_EVENT_NAME, METER_VALUE_KEY

logger = logging.getLogger(__name__)

#: Stripe refuses meter events whose timestamp is more than 35 days in the past.
STRIPE_MAX_AGE = timedelta(days=35)
BATCH_SIZE = 100
#: Subscription states whose usage Stripe bills (a Stripe-side trial bills usage at its end).
BILLABLE_STATUSES = frozenset(
    {
        BillingAccount.Status.ACTIVE,
        BillingAccount.Status.TRIALING,
        BillingAccount.Status.PAST_DUE,
        BillingAccount.Status.UNPAID,
    }
)
DUPLICATE_CODE = "meter_event_duplicate_identifier"


@dataclass
class UsageReportResult:
    """What one run did: rows reported, rows found not billable, rows still pending after it."""

    reported: int = 0
    not_billable: int = 0
    pending: int = 0
    error: str = ""

    def as_dict(self) -> dict[str, int]:
        return {"reported": self.reported, "not_billable": self.not_billable,
                "pending": self.pending}  # fmt: skip

    def add(self, other: UsageReportResult) -> None:
        self.reported += other.reported
        self.not_billable += other.not_billable
        self.pending += other.pending
        self.error = self.error or other.error


class MeterEventError(Exception):
    """Stripe did not take a meter event (outage, network, or a refusal other than duplicate)."""


def _pending() -> QuerySet[UsageEvent]:
    return UsageEvent.objects.filter(reported_at__isnull=True)


def _mark_not_billable(rows: QuerySet[UsageEvent], *, note: str) -> int:
    return rows.update(
        reported_at=timezone.now(), outcome=UsageEvent.Outcome.NOT_BILLABLE, last_error=note
    )


def _current_account() -> BillingAccount | None:
    """The billing account of the workspace whose schema is active, read only: reporting never
    opens an account (nor starts a trial) as a side effect."""
    from kefu.tenancy import current_schema

    return BillingAccount.objects.filter(tenant__schema_name=current_schema()).first()


def _is_duplicate(error: stripe.StripeError) -> bool:
    message = str(getattr(error, "user_message", None) or error)
    return error.code == DUPLICATE_CODE or "already exists with identifier" in message


def meter_event_send(client: stripe.StripeClient, *, customer_id: str, event: UsageEvent) -> None:
    """Send one meter event; a duplicate identifier counts as sent (Stripe already has it)."""
    try:
        client.v1.billing.meter_events.create(
            {
                "event_name": METER_EVENT_NAME,
                "payload": {METER_CUSTOMER_KEY: customer_id, METER_VALUE_KEY: str(event.quantity)},
                "identifier": event.identifier,
                "timestamp": int(event.occurred_at.timestamp()),
            }
        )
    except stripe.StripeError as error:
        if isinstance(error, stripe.InvalidRequestError) and _is_duplicate(error):
            return
        raise MeterEventError(f"{type(error).__name__}: {error}") from error


def _subscription_start(client: stripe.StripeClient, account: BillingAccount) -> datetime:
    """When the subscription started, by Stripe (asked only when pending usage predates the
    current period, the rare case where it matters)."""
    subscription: Any = client.v1.subscriptions.retrieve(account.stripe_subscription_id)
    return datetime.fromtimestamp(int(subscription["start_date"]), tz=UTC)


def _report_batch(
    client: stripe.StripeClient, *, customer_id: str, size: int
) -> tuple[int, int, str]:
    """Claim up to ``size`` pending rows and send them; returns (claimed, reported, error)."""
    reported = 0
    with transaction.atomic():
        rows = list(
            _pending().select_for_update(skip_locked=True).order_by("occurred_at", "id")[:size]
        )
        for row in rows:
            try:
                meter_event_send(client, customer_id=customer_id, event=row)
            except MeterEventError as error:
                UsageEvent.objects.filter(pk=row.pk).update(
                    attempts=F("attempts") + 1, last_error=str(error)[:2000]
                )
                return len(rows), reported, str(error)
            UsageEvent.objects.filter(pk=row.pk).update(
                reported_at=timezone.now(),
                outcome=UsageEvent.Outcome.REPORTED,
                attempts=F("attempts") + 1,
                last_error="",
            )
            reported += 1
    return len(rows), reported, ""


def _billable(account: BillingAccount | None) -> bool:
    return bool(
        account is not None
        and account.stripe_customer_id
        and account.stripe_subscription_id
        and account.status in BILLABLE_STATUSES
    )


def _mark_unbillable_usage(account: BillingAccount | None, client_factory: Any) -> int:
    """Mark what can never be billed; returns how many rows. Raises MeterEventError if Stripe must
    be asked when the subscription started and cannot answer."""
    from django.utils.translation import gettext as _

    marked = _mark_not_billable(
        _pending().filter(occurred_at__lt=timezone.now() - STRIPE_MAX_AGE),
        note=_("Older than 35 days: Stripe no longer accepts it."),
    )
    if account is None or not _billable(account):
        if account is not None and account.status == BillingAccount.Status.INCOMPLETE:
            return marked  # the first payment is under way: wait for it to settle
        return marked + _mark_not_billable(
            _pending(), note=_("No paid subscription when it happened.")
        )
    period_start = account.current_period_start
    if period_start is None or _pending().filter(occurred_at__lt=period_start).exists():
        try:
            started = _subscription_start(client_factory(), account)
        except stripe.StripeError as error:
            raise MeterEventError(f"{type(error).__name__}: {error}") from error
        marked += _mark_not_billable(
            _pending().filter(occurred_at__lt=started),
            note=_("Before the subscription started."),
        )
    return marked


def usage_report_to_stripe(*, batch_size: int = BATCH_SIZE) -> UsageReportResult:
    """Report this workspace's pending usage to Stripe. Runs inside a tenant schema; safe to
    run twice at once; stops at the first Stripe failure (the next run retries)."""
    from billing.stripe_sync import stripe_client

    result = UsageReportResult()
    if not _pending().exists():
        return result
    account = _current_account()
    try:
        result.not_billable = _mark_unbillable_usage(account, stripe_client)
    except MeterEventError as error:
        result.error = str(error)
    if account is not None and _billable(account) and not result.error:
        client = stripe_client()
        claimed = batch_size
        while claimed == batch_size and not result.error:
            claimed, reported, result.error = _report_batch(
                client, customer_id=account.stripe_customer_id, size=batch_size
            )
            result.reported += reported
    result.pending = _pending().count()
    if result.error:
        logger.warning("usage report stopped, %d rows pending: %s", result.pending, result.error)
    logger.info("usage report: %s", result.as_dict(), extra={"usage": result.as_dict()})
    return result
