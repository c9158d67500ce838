"""Stripe webhook events: stored once by id when they arrive, then processed by a job.

Processing is idempotent and order-safe. An event is processed at most once (``processed_at``,
under a row lock); a failure records the attempt and raises so dramatiq retries. Events only
say *which* object changed: the subscription (and a failed invoice) is read again from Stripe
and its current state applied, and ``subscription_state_at`` keeps an older event from
overwriting a newer state.

Objects are mapped to a workspace by the ``kefu_tenant_id`` metadata Kefu puts on Checkout
sessions, subscriptions and customers (or the session's ``client_reference_id``), falling back
to the Stripe customer and subscription ids stored on the billing account.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import stripe
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing import services
from billing.models import BillingAccount, StripeEvent
from billing.stripe_sync import stripe_client
from kefu.core.parsing import id_or_none
from kefu.jobs import enqueue_on_commit
from kefu.tenancy import public_context
from tenants.models import Tenant

logger = logging.getLogger(__name__)

Obj = Mapping[str, Any]


def stripe_event_record(*, event: Obj) -> tuple[StripeEvent, bool]:
    """Store a verified event (once by its id) and queue its processing after commit. A
    repeated delivery of an event already processed queues nothing. Returns (row, created)."""
    from billing.jobs import stripe_event_process

    with public_context(), transaction.atomic():
        stored, created = StripeEvent.objects.get_or_create(
            event_id=event["id"],
            defaults={
                "type": str(event.get("type", ""))[:100],
                "stripe_created_at": services.stripe_time(event.get("created")) or timezone.now(),
                "livemode": bool(event.get("livemode")),
                "payload": event,
            },
        )
        if stored.processed_at is None:
            enqueue_on_commit(stripe_event_process, stored.event_id)
    return stored, created


def stripe_event_handle(*, event_id: str) -> None:
    """Process a stored event once. Runs in the public schema (a job)."""
    with public_context():
        try:
            with transaction.atomic():
                event = StripeEvent.objects.select_for_update().filter(event_id=event_id).first()
                if event is None or event.processed_at is not None:
                    return  # unknown, or a repeat after success
                tenant = _dispatch(event)
                event.tenant = tenant
                event.processed_at = timezone.now()
                event.attempts = F("attempts") + 1
                event.last_error = ""
                event.save(update_fields=["tenant", "processed_at", "attempts", "last_error"])
        except Exception as error:
            StripeEvent.objects.filter(event_id=event_id).update(
                attempts=F("attempts") + 1,
                last_error=f"{error.__class__.__name__}: {error}"[:2000],
            )
            raise


# --- mapping objects to workspaces ----------------------------------------------------------


def _id(value: Any) -> str:
    """An id whether Stripe sent it bare or as an expanded object."""
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return str(value or "")


def _invoice_subscription(invoice: Obj) -> tuple[str, Obj]:
    """The subscription an invoice bills and that subscription's metadata (current API:
    ``parent.subscription_details``; older versions: top-level fields)."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    if details:
        return _id(details.get("subscription")), details.get("metadata") or {}
    legacy = invoice.get("subscription_details") or {}
    return _id(invoice.get("subscription")), legacy.get("metadata") or {}


def _references(obj: Obj) -> tuple[str, str, str]:
    """(kefu_tenant_id, customer id, subscription id) named by a Stripe object."""
    kind = obj.get("object")
    metadata = obj.get("metadata") or {}
    tenant_id = str(metadata.get("kefu_tenant_id") or "")
    if kind == "customer":
        return tenant_id, _id(obj.get("id")), ""
    if kind == "subscription":
        return tenant_id, _id(obj.get("customer")), _id(obj.get("id"))
    if kind == "invoice":
        subscription_id, sub_metadata = _invoice_subscription(obj)
        tenant_id = tenant_id or str(sub_metadata.get("kefu_tenant_id") or "")
        return tenant_id, _id(obj.get("customer")), subscription_id
    tenant_id = tenant_id or str(obj.get("client_reference_id") or "")
    return tenant_id, _id(obj.get("customer")), _id(obj.get("subscription"))


def tenant_for_object(obj: Obj) -> Tenant | None:
    """The workspace a Stripe object belongs to, or None."""
    tenant_id, customer_id, subscription_id = _references(obj)
    workspaces = Tenant.objects.exclude(schema_name="public")
    if (workspace_id := id_or_none(tenant_id)) is not None:
        tenant = workspaces.filter(pk=workspace_id).first()
        if tenant is not None:
            return tenant
    accounts = BillingAccount.objects.select_related("tenant")
    for field, value in (
        ("stripe_subscription_id", subscription_id),
        ("stripe_customer_id", customer_id),
    ):
        if value:
            account = accounts.filter(**{field: value}).first()
            if account is not None:
                return account.tenant
    return None


# --- handlers -------------------------------------------------------------------------------


def _subscription_fetch(subscription_id: str, fallback: Obj | None = None) -> Obj | None:
    """The subscription as Stripe has it now (the event's copy may be stale)."""
    try:
        return stripe_client().v1.subscriptions.retrieve(subscription_id).to_dict()
    except stripe.InvalidRequestError as error:
        if error.code != "resource_missing":
            raise
        return fallback


def _subscription_sync(
    tenant: Tenant, subscription_id: str, at: datetime, fallback: Obj | None = None
) -> None:
    if not subscription_id:
        return
    subscription = _subscription_fetch(subscription_id, fallback)
    if subscription is not None:
        services.subscription_apply(tenant=tenant, subscription=subscription, at=at)


def _on_checkout_completed(tenant: Tenant, obj: Obj, at: datetime) -> None:
    if obj.get("mode") != "subscription":
        return
    services.customer_link(tenant=tenant, customer_id=_id(obj.get("customer")))
    _subscription_sync(tenant, _id(obj.get("subscription")), at)


def _on_subscription_changed(tenant: Tenant, obj: Obj, at: datetime) -> None:
    _subscription_sync(tenant, _id(obj.get("id")), at, fallback=obj)


def _on_invoice_paid(tenant: Tenant, obj: Obj, at: datetime) -> None:
    subscription_id, _metadata = _invoice_subscription(obj)
    _subscription_sync(tenant, subscription_id, at)


def _on_invoice_payment_failed(tenant: Tenant, obj: Obj, at: datetime) -> None:
    subscription_id, _metadata = _invoice_subscription(obj)
    if not subscription_id:
        return  # a one-off invoice: the subscription, and so access, is not at stake
    invoice = stripe_client().v1.invoices.retrieve(_id(obj.get("id"))).to_dict()
    _subscription_sync(tenant, subscription_id, at)
    if invoice.get("status") in ("paid", "void"):
        return  # settled since: nothing to warn about
    services.payment_failed_record(
        tenant=tenant, invoice_id=invoice["id"], subscription_id=subscription_id, at=at
    )


def _on_customer_deleted(tenant: Tenant, obj: Obj, at: datetime) -> None:
    services.customer_forget(tenant=tenant, customer_id=_id(obj.get("id")))


HANDLERS: dict[str, Callable[[Tenant, Obj, datetime], None]] = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.created": _on_subscription_changed,
    "customer.subscription.updated": _on_subscription_changed,
    "customer.subscription.deleted": _on_subscription_changed,
    "customer.subscription.paused": _on_subscription_changed,
    "customer.subscription.resumed": _on_subscription_changed,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_payment_failed,
    "customer.deleted": _on_customer_deleted,
}


def _dispatch(event: StripeEvent) -> Tenant | None:
    """Run the event's handler; the workspace it concerned (None: not ours, or no handler)."""
    handler = HANDLERS.get(event.type)
    obj = (event.payload.get("data") or {}).get("object") or {}
    tenant = tenant_for_object(obj)
    if handler is None or tenant is None:
        if handler is not None:
            logger.info("Stripe event %s (%s) names no workspace", event.event_id, event.type)
        return tenant
    handler(tenant, obj, event.stripe_created_at)
    return tenant
