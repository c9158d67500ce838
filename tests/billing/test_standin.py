"""The stand-in answers the real stripe library the way Stripe does, and signs like Stripe."""

from __future__ import annotations

import json

import pytest
import stripe

from billing.stripe_sync import plans_sync_to_stripe, stripe_client
from tests.billing.standin import WEBHOOK_SECRET, signed_delivery

pytestmark = pytest.mark.django_db


def test_checkout_to_subscription_and_duplicate_meter_identifier_refused(stripe_standin):
    from billing.seed import plans_seed

    plans_seed()
    plans_sync_to_stripe()
    client = stripe_client()
    price = client.v1.prices.list({"lookup_keys": ["kefu_team_base_usd"]}).data[0]
    customer = client.v1.customers.create({"email": "owner@example.com"})
    session = client.v1.checkout.sessions.create(
        {
            "mode": "subscription",
            "customer": customer.id,
            "line_items": [{"price": price.id, "quantity": 1}],
            "success_url": "https://acme.example/desk/billing/?done=1",
        }
    )
    assert session.url.startswith(stripe_standin.url + "/checkout/")

    events = stripe_standin.checkout_complete_simulate(session.id)

    assert [event["type"] for event in events] == [
        "customer.subscription.created",
        "invoice.paid",
        "checkout.session.completed",
    ]
    subscription = client.v1.subscriptions.retrieve(events[-1]["data"]["object"]["subscription"])
    assert subscription.status == "active"
    assert subscription["items"].data[0].price.id == price.id
    meter_event = {
        "event_name": "kefu_resolved_ticket",
        "payload": {"stripe_customer_id": customer.id, "value": "1"},
        "identifier": "kefu_once",
    }
    client.v1.billing.meter_events.create(meter_event)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.billing.meter_events.create(meter_event)
    assert stripe_standin.metered_units(customer.id) == 1


def test_signed_delivery_verifies_with_the_stripe_library_and_a_changed_body_does_not(
    stripe_standin,
):
    event = stripe_standin.event("customer.created", {"id": "cus_1", "object": "customer"})
    body, header = signed_delivery(event)

    verified = stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET)

    assert verified.id == event["id"]
    tampered = json.dumps({**event, "type": "invoice.paid"}).encode()
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, header, WEBHOOK_SECRET)
