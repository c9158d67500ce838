"""The stand-in's customer side: customers, Checkout sessions, customer-portal sessions,
subscriptions, invoices and meter events, in the shapes of Stripe API version 2025-03 and later
(a subscription's period lives on its items; an invoice names its subscription under
``parent.subscription_details``).

What Stripe does on its own (a customer paying on the Checkout page, a renewal failing, a
customer deleted in the dashboard) is done by the ``*_simulate`` methods: they change the
objects and return the events Stripe would send, newest last, each with a later ``created``.
"""

from __future__ import annotations

import copy
import html
import itertools
import time
from typing import Any

from tests.billing.standin.server import CatalogueStandin, StripeError, _int

MONTH = 30 * 24 * 3600


class StripeStandin(CatalogueStandin):
    KINDS = (
        *CatalogueStandin.KINDS,
        "customers",
        "checkout_sessions",
        "portal_sessions",
        "subscriptions",
        "invoices",
        "meter_events",
    )
    SINGULAR = {
        **CatalogueStandin.SINGULAR,
        "customers": "customer",
        "checkout_sessions": "checkout.session",
        "portal_sessions": "billing_portal.session",
        "subscriptions": "subscription",
        "invoices": "invoice",
    }

    def __init__(self) -> None:
        super().__init__()
        self._clock = itertools.count(int(time.time()))
        #: Meter events Stripe accepted (a repeated identifier is refused, as Stripe does).
        self.meter_events: list[dict[str, Any]] = []

    def _routes(self, path: str) -> dict[tuple[str, str], Any]:
        return {
            **super()._routes(path),
            ("POST", r"/v1/customers"): self._customer_create,
            ("GET", r"/v1/customers/(?P<id>[^/]+)"): self._customer_get,
            ("POST", r"/v1/customers/(?P<id>[^/]+)"): self._customer_update,
            ("DELETE", r"/v1/customers/(?P<id>[^/]+)"): self._customer_delete,
            ("POST", r"/v1/checkout/sessions"): self._checkout_create,
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)"): (
                lambda p, id: self._get("checkout_sessions", id)
            ),
            ("POST", r"/v1/billing_portal/sessions"): self._portal_create,
            ("GET", r"/v1/subscriptions/(?P<id>[^/]+)"): (
                lambda p, id: self._get("subscriptions", id)
            ),
            ("GET", r"/v1/subscriptions"): self._subscription_list,
            ("POST", r"/v1/subscriptions/(?P<id>[^/]+)"): self._subscription_update,
            ("GET", r"/v1/invoices/(?P<id>[^/]+)"): lambda p, id: self._get("invoices", id),
            ("POST", r"/v1/billing/meter_events"): self._meter_event_create,
        }

    def _tick(self) -> int:
        """Stripe's clock as the stand-in keeps it: every object and event gets a later second."""
        return max(next(self._clock), int(time.time()))

    # -- hosted pages ----------------------------------------------------------------------
    def _page(self, path: str) -> str:
        kind, _, object_id = path.strip("/").partition("/")
        if kind == "checkout" and object_id in self.objects["checkout_sessions"]:
            session = self.objects["checkout_sessions"][object_id]
            names = ", ".join(
                self.objects["products"][self.objects["prices"][item["price"]]["product"]]["name"]
                for item in session["_line_items"]
                if item["price"] in self.objects["prices"]
            )
            return (
                "<!doctype html><title>Stripe Checkout (stand-in)</title>"
                f"<h1>Checkout stand-in</h1><p id='session'>{html.escape(object_id)}</p>"
                f"<p id='products'>{html.escape(names)}</p>"
            )
        if kind == "portal" and object_id in self.objects["portal_sessions"]:
            return (
                "<!doctype html><title>Stripe customer portal (stand-in)</title>"
                f"<h1>Customer portal stand-in</h1><p id='session'>{html.escape(object_id)}</p>"
            )
        raise StripeError(404, f"No page at {path}.")

    # -- customers -------------------------------------------------------------------------
    def _customer_create(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = {
            **self._base("cus", "customer"),
            "email": params.get("email"),
            "name": params.get("name"),
            "metadata": params.get("metadata", {}),
            "preferred_locales": params.get("preferred_locales", []),
            "currency": None,
            "delinquent": False,
            "invoice_settings": {"default_payment_method": None},
        }
        self.objects["customers"][customer["id"]] = customer
        return customer

    def _customer_get(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        customer = self._get("customers", id)
        if customer.get("deleted"):
            return {"id": id, "object": "customer", "deleted": True}
        return customer

    def _customer_update(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        customer = self._get("customers", id)
        for name in ("email", "name"):
            if name in params:
                customer[name] = params[name]
        customer["metadata"].update(params.get("metadata", {}))
        return customer

    def _customer_delete(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        self._get("customers", id)["deleted"] = True
        return {"id": id, "object": "customer", "deleted": True}

    # -- Checkout and the customer portal --------------------------------------------------
    def _checkout_create(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("mode") != "subscription":
            raise StripeError(400, "This stand-in only knows mode=subscription.", param="mode")
        for name in ("success_url", "line_items"):
            if not params.get(name):
                raise StripeError(400, f"Missing required param: {name}.", param=name)
        if params.get("customer"):
            self._get("customers", params["customer"])
        line_items = []
        for item in params["line_items"]:
            price = self._get("prices", item["price"])
            metered = (price.get("recurring") or {}).get("usage_type") == "metered"
            if metered and item.get("quantity"):
                raise StripeError(
                    400, "Quantity should not be specified where usage_type is `metered`.",
                    param="line_items[quantity]",
                )  # fmt: skip
            line_items.append({"price": price["id"], "quantity": _int(item.get("quantity"))})
        session = {
            **self._base("cs_test", "checkout.session"),
            "mode": "subscription",
            "status": "open",
            "payment_status": "unpaid",
            "customer": params.get("customer"),
            "customer_email": params.get("customer_email"),
            "client_reference_id": params.get("client_reference_id"),
            "currency": self.objects["prices"][line_items[0]["price"]]["currency"],
            "locale": params.get("locale"),
            "metadata": params.get("metadata", {}),
            "subscription": None,
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "expires_at": int(time.time()) + 24 * 3600,
            "_line_items": line_items,
            "_subscription_data": params.get("subscription_data", {}),
        }
        session["url"] = f"{self.url}/checkout/{session['id']}"
        self.objects["checkout_sessions"][session["id"]] = session
        return self._public(session)

    def _portal_create(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("customer"):
            raise StripeError(400, "Missing required param: customer.", param="customer")
        self._get("customers", params["customer"])
        session = {
            **self._base("bps", "billing_portal.session"),
            "customer": params["customer"],
            "return_url": params.get("return_url"),
            "locale": params.get("locale"),
        }
        session["url"] = f"{self.url}/portal/{session['id']}"
        self.objects["portal_sessions"][session["id"]] = session
        return session

    # -- subscriptions and invoices --------------------------------------------------------
    def _subscription_list(self, params: dict[str, Any]) -> dict[str, Any]:
        items = list(self.objects["subscriptions"].values())
        if params.get("customer"):
            items = [s for s in items if s["customer"] == params["customer"]]
        return self._list("subscriptions", "/v1/subscriptions", params, items)

    def _subscription_update(self, params: dict[str, Any], id: str) -> dict[str, Any]:
        """Switch item prices (``items[i][id]`` + ``price``), delete items, change metadata or
        ``cancel_at_period_end``. Like Stripe, an ended subscription cannot change."""
        subscription = self._get("subscriptions", id)
        if subscription["status"] == "canceled":
            raise StripeError(400, "A canceled subscription can only update its metadata.")
        items = {item["id"]: item for item in subscription["items"]["data"]}
        for change in params.get("items", []):
            item = items.get(change.get("id", ""))
            if item is None:
                raise StripeError(400, "No such subscription item.", param="items")
            if str(change.get("deleted", "")).lower() == "true":
                subscription["items"]["data"].remove(item)
                continue
            if change.get("price"):
                price = self._get("prices", change["price"])
                if price["currency"] != subscription["currency"]:
                    raise StripeError(400, "All prices must be in the subscription's currency.")
                item["price"] = copy.deepcopy(price)
            if change.get("quantity"):
                item["quantity"] = _int(change["quantity"])
        subscription["metadata"].update(params.get("metadata", {}))
        if "cancel_at_period_end" in params:
            subscription["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        return subscription

    def _subscription_new(self, session: dict[str, Any], customer_id: str) -> dict[str, Any]:
        now = self._tick()
        data = session["_subscription_data"]
        trial_days = _int(data.get("trial_period_days"))
        subscription = {
            **self._base("sub", "subscription"),
            "customer": customer_id,
            "status": "trialing" if trial_days else "active",
            "currency": session["currency"],
            "metadata": data.get("metadata", {}),
            "cancel_at_period_end": False,
            "canceled_at": None,
            "ended_at": None,
            "start_date": now,
            "trial_end": now + trial_days * 86400 if trial_days else None,
            "latest_invoice": None,
        }
        subscription["created"] = now
        subscription["items"] = {
            "object": "list",
            "data": [
                {
                    "id": self._new_id("si"),
                    "object": "subscription_item",
                    "price": copy.deepcopy(self.objects["prices"][item["price"]]),
                    "quantity": item["quantity"],
                    "current_period_start": now,
                    "current_period_end": now + MONTH,
                    "subscription": subscription["id"],
                }
                for item in session["_line_items"]
            ],
            "has_more": False,
        }
        self.objects["subscriptions"][subscription["id"]] = subscription
        return subscription

    def _invoice_new(self, subscription: dict[str, Any], *, paid: bool) -> dict[str, Any]:
        now = self._tick()
        amount = sum(
            (item["price"].get("unit_amount") or 0) * (item["quantity"] or 0)
            for item in subscription["items"]["data"]
        )
        invoice = {
            **self._base("in", "invoice"),
            "customer": subscription["customer"],
            "currency": subscription["currency"],
            "status": "paid" if paid else "open",
            "amount_due": amount,
            "amount_paid": amount if paid else 0,
            "attempt_count": 1,
            "attempted": True,
            "billing_reason": "subscription_cycle",
            "hosted_invoice_url": f"{self.url}/invoice/placeholder",
            "next_payment_attempt": None if paid else now + 3 * 86400,
            "parent": {
                "type": "subscription_details",
                "subscription_details": {
                    "subscription": subscription["id"],
                    "metadata": dict(subscription["metadata"]),
                },
            },
            "period_start": now,
            "period_end": now + MONTH,
        }
        invoice["created"] = now
        self.objects["invoices"][invoice["id"]] = invoice
        subscription["latest_invoice"] = invoice["id"]
        return invoice

    # -- meter events ----------------------------------------------------------------------
    def _meter_event_create(self, params: dict[str, Any]) -> dict[str, Any]:
        meters = [
            meter
            for meter in self.objects["meters"].values()
            if meter["event_name"] == params.get("event_name") and meter["status"] == "active"
        ]
        if not meters:
            raise StripeError(
                400, f"No active meter found for event_name {params.get('event_name')!r}.",
                param="event_name",
            )  # fmt: skip
        payload = params.get("payload") or {}
        customer_key = meters[0]["customer_mapping"]["event_payload_key"]
        value_key = meters[0]["value_settings"]["event_payload_key"]
        if payload.get(customer_key) not in self.objects["customers"]:
            raise StripeError(400, "No such customer in the payload.", param="payload")
        if not str(payload.get(value_key, "")).isdigit():
            raise StripeError(400, "The value must be a whole number.", param="payload")
        identifier = params.get("identifier") or self._new_id("mev")
        if any(seen["identifier"] == identifier for seen in self.meter_events):
            raise StripeError(
                400,
                f"An event already exists with identifier {identifier}.",
                code="meter_event_duplicate_identifier",  # the stand-in's name for it
                param="identifier",
            )
        event = {
            "object": "billing.meter_event",
            "created": int(time.time()),
            "event_name": params["event_name"],
            "identifier": identifier,
            "livemode": False,
            "payload": payload,
            "timestamp": _int(params.get("timestamp")) or int(time.time()),
        }
        self.meter_events.append(event)
        return event

    def metered_units(self, customer_id: str | None = None) -> int:
        """The sum of accepted meter event values (for one customer, or all)."""
        return sum(
            int(event["payload"]["value"])
            for event in self.meter_events
            if customer_id is None or event["payload"]["stripe_customer_id"] == customer_id
        )

    # -- what Stripe does by itself: each returns the events it would send -----------------
    def event(
        self, kind: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """An event in Stripe's shape carrying a snapshot of ``obj`` as it is now."""
        data: dict[str, Any] = {"object": self._public(copy.deepcopy(obj))}
        if previous is not None:
            data["previous_attributes"] = previous
        return {
            "id": self._new_id("evt"),
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": self._tick(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }

    def checkout_complete_simulate(self, session_id: str) -> list[dict[str, Any]]:
        """The customer paid on the Checkout page: customer (if new), subscription, invoice."""
        with self.lock:
            session = self._get("checkout_sessions", session_id)
            events = []
            customer_id = session["customer"]
            if not customer_id:
                customer = self._customer_create({"email": session["customer_email"]})
                customer_id = customer["id"]
                events.append(self.event("customer.created", customer))
            subscription = self._subscription_new(session, customer_id)
            invoice = self._invoice_new(subscription, paid=True)
            session.update(
                status="complete",
                payment_status="paid",
                customer=customer_id,
                subscription=subscription["id"],
            )
            events.append(self.event("customer.subscription.created", subscription))
            events.append(self.event("invoice.paid", invoice))
            events.append(self.event("checkout.session.completed", session))
            return events

    def subscription_update_simulate(self, subscription_id: str, **changes: Any) -> dict[str, Any]:
        """A change to the subscription (status, cancel_at_period_end, ...): its updated event."""
        with self.lock:
            subscription = self._get("subscriptions", subscription_id)
            previous = {name: subscription.get(name) for name in changes}
            subscription.update(changes)
            return self.event("customer.subscription.updated", subscription, previous)

    def subscription_pause_simulate(self, subscription_id: str) -> dict[str, Any]:
        """A trial ended without a card and the subscription is set to pause then."""
        with self.lock:
            subscription = self._get("subscriptions", subscription_id)
            subscription.update(status="paused")
            return self.event("customer.subscription.paused", subscription)

    def subscription_resume_simulate(self, subscription_id: str) -> dict[str, Any]:
        """The paused subscription was resumed (a card was added)."""
        with self.lock:
            subscription = self._get("subscriptions", subscription_id)
            subscription.update(status="active")
            return self.event("customer.subscription.resumed", subscription)

    def payment_failed_simulate(self, subscription_id: str) -> list[dict[str, Any]]:
        """A renewal charge was declined: an open invoice, and the subscription goes past due."""
        with self.lock:
            subscription = self._get("subscriptions", subscription_id)
            invoice = self._invoice_new(subscription, paid=False)
            failed = self.event("invoice.payment_failed", invoice)
            return [failed, self.subscription_update_simulate(subscription_id, status="past_due")]

    def payment_succeeded_simulate(self, subscription_id: str) -> list[dict[str, Any]]:
        """The customer paid (a retry or a new card): the invoice is paid, the plan active."""
        with self.lock:
            subscription = self._get("subscriptions", subscription_id)
            invoice = self.objects["invoices"].get(subscription["latest_invoice"] or "")
            if invoice is None or invoice["status"] == "paid":
                invoice = self._invoice_new(subscription, paid=True)
            else:
                invoice.update(status="paid", amount_paid=invoice["amount_due"])
            paid = self.event("invoice.paid", invoice)
            return [paid, self.subscription_update_simulate(subscription_id, status="active")]

    def subscription_cancel_simulate(self, subscription_id: str) -> dict[str, Any]:
        """The subscription ended (canceled in the portal, or unpaid for too long)."""
        with self.lock:
            subscription = self._get("subscriptions", subscription_id)
            now = self._tick()
            subscription.update(status="canceled", canceled_at=now, ended_at=now)
            return self.event("customer.subscription.deleted", subscription)

    def customer_delete_simulate(self, customer_id: str) -> list[dict[str, Any]]:
        """Deleted in the dashboard: its subscriptions end, then the customer goes."""
        with self.lock:
            customer = self._get("customers", customer_id)
            events = [
                self.subscription_cancel_simulate(subscription["id"])
                for subscription in self.objects["subscriptions"].values()
                if subscription["customer"] == customer_id and subscription["status"] != "canceled"
            ]
            events.append(self.event("customer.deleted", customer))
            customer["deleted"] = True
            return events

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        """Drop the stand-in's own bookkeeping (keys starting with ``_``)."""
        return {key: value for key, value in obj.items() if not key.startswith("_")}
