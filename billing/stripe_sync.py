"""Sync plans to Stripe: one product per plan, a monthly base price, and a metered price for
resolved tickets billed through a Stripe Billing Meter.

Idempotent: the product has a deterministic id (``kefu_plan_<code>``), each price a stable lookup
key (``kefu_<code>_base_<currency>``, ``kefu_<code>_ticket_<currency>``) that always names the
current price, and the meter is found by its event name. A price whose terms changed is replaced:
the new price takes the lookup key over (``transfer_lookup_key``) and the old one is deactivated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import prefetch_related_objects

from billing.models import Plan
from billing.pricing import PlanPriceTerms, decimal_places, plan_price_in
from kefu.tenancy import public_context

METER_EVENT_NAME = "kefu_resolved_ticket"
METER_CUSTOMER_KEY = "stripe_customer_id"
METER_VALUE_KEY = "value"


OUTCOME_RANK = ["unchanged", "updated", "created"]


@dataclass
class SyncReport:
    """Plan codes by outcome: something was created, only updated, or nothing changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def stripe_configured() -> bool:
    """Whether this server has Stripe keys: without them nothing can be bought or synced."""
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    """A client for Stripe, or for the stand-in named by ``KEFU_STRIPE_API_BASE``."""
    if not settings.STRIPE_SECRET_KEY:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set.")
    base = settings.KEFU_STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": base} if base else None
    )


def minor_units(amount: Decimal, currency: str) -> Decimal:
    """An amount in the currency's smallest unit, as Stripe counts it (USD 29.00 -> 2900)."""
    return amount.scaleb(decimal_places(currency)).normalize()


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def base_lookup_key(plan: Plan, currency: str | None = None) -> str:
    """The lookup key of the plan's base price in ``currency`` (default: the plan's own)."""
    return f"kefu_{plan.code}_base_{(currency or plan.currency).lower()}"


def ticket_lookup_key(plan: Plan, currency: str | None = None) -> str:
    """The lookup key of the plan's metered price in ``currency`` (default: the plan's own)."""
    return f"kefu_{plan.code}_ticket_{(currency or plan.currency).lower()}"


def plans_sync_to_stripe(*, plans: Iterable[Plan] | None = None) -> SyncReport:
    """Create or update the Stripe objects of ``plans`` (default: every plan), in the plan's own
    currency and in each currency it has a ``PlanPrice`` for; store the own-currency ids."""
    client = stripe_client()
    report = SyncReport()
    with public_context():
        plans = list(Plan.objects.all() if plans is None else plans)
        prefetch_related_objects(plans, "prices")
        meter_id, meter_created = _meter_ensure(client)
        for plan in plans:
            outcome = _plan_sync(client, plan, meter_id=meter_id)
            if meter_created and outcome == "unchanged":
                outcome = "updated"
            getattr(report, outcome).append(plan.code)
    return report


def _plan_sync(client: stripe.StripeClient, plan: Plan, *, meter_id: str) -> str:
    known_product = plan.stripe_product_id
    outcomes = [_product_ensure(client, plan)]
    (base_id, ticket_id), currency_outcome = _currency_sync(
        client, plan, plan_price_in(plan, plan.currency), meter_id=meter_id
    )
    outcomes.append(currency_outcome)
    # Other currencies are found by their lookup keys when needed, so no ids are stored.
    for price in plan.prices.all():
        if price.currency.upper() != plan.currency.upper():
            _ids, other_outcome = _currency_sync(
                client, plan, plan_price_in(plan, price.currency), meter_id=meter_id
            )
            outcomes.append(other_outcome)
    ids = {
        "stripe_base_price_id": base_id,
        "stripe_metered_price_id": ticket_id,
        "stripe_meter_id": meter_id,
    }
    changed = [name for name, value in ids.items() if getattr(plan, name) != value]
    if plan.stripe_product_id != known_product:
        changed.append("stripe_product_id")
    if changed:
        for name, value in ids.items():
            setattr(plan, name, value)
        plan.save(update_fields=changed)
        outcomes.append("updated")
    return max(outcomes, key=OUTCOME_RANK.index)


def _currency_sync(
    client: stripe.StripeClient, plan: Plan, terms: PlanPriceTerms, *, meter_id: str
) -> tuple[tuple[str, str], str]:
    """The plan's base and metered price ids in one currency, and the outcome."""
    base_id, base_outcome = _price_ensure(client, plan, terms, **_base_price_terms(plan, terms))
    ticket_id, ticket_outcome = _price_ensure(
        client, plan, terms, **_ticket_price_terms(plan, terms, meter_id=meter_id)
    )
    return (base_id, ticket_id), max(base_outcome, ticket_outcome, key=OUTCOME_RANK.index)


def _meter_ensure(client: stripe.StripeClient) -> tuple[str, bool]:
    for meter in client.v1.billing.meters.list({"limit": 100}).auto_paging_iter():
        if meter.event_name == METER_EVENT_NAME and meter.status == "active":
            return meter.id, False
    meter = client.v1.billing.meters.create(
        {
            "display_name": "Kefu resolved tickets",
            "event_name": METER_EVENT_NAME,
            "default_aggregation": {"formula": "sum"},
            "customer_mapping": {"type": "by_id", "event_payload_key": METER_CUSTOMER_KEY},
            "value_settings": {"event_payload_key": METER_VALUE_KEY},
        }
    )
    return meter.id, True


def _product_ensure(client: stripe.StripeClient, plan: Plan) -> str:
    product_id = plan.stripe_product_id or f"kefu_plan_{plan.code}"
    wanted: dict[str, Any] = {"name": plan.name, "active": plan.is_active}
    try:
        product = client.v1.products.retrieve(product_id)
    except stripe.InvalidRequestError as error:
        if error.code != "resource_missing":
            raise
        product = client.v1.products.create(
            {"id": product_id, **wanted, "metadata": {"kefu_plan_code": plan.code}}
        )
        plan.stripe_product_id = product.id
        return "created"
    plan.stripe_product_id = product.id
    if product.name == plan.name and product.active == plan.is_active:
        return "unchanged"
    client.v1.products.update(product.id, wanted)
    return "updated"


def _base_price_terms(plan: Plan, terms: PlanPriceTerms) -> dict[str, Any]:
    amount = minor_units(terms.base, terms.currency)
    return {
        "lookup_key": base_lookup_key(plan, terms.currency),
        "terms": f"{terms.currency.lower()}:{_decimal_text(amount)}",
        "params": {
            "unit_amount_decimal": _decimal_text(amount),
            "recurring": {"interval": "month", "usage_type": "licensed"},
        },
    }


def _ticket_price_terms(plan: Plan, terms: PlanPriceTerms, *, meter_id: str) -> dict[str, Any]:
    """Per resolved ticket beyond the included ones: graduated tiers, the first free."""
    amount = _decimal_text(minor_units(terms.per_ticket, terms.currency))
    included = plan.included_resolved_tickets
    recurring = {"interval": "month", "usage_type": "metered", "meter": meter_id}
    if included:
        params: dict[str, Any] = {
            "billing_scheme": "tiered",
            "tiers_mode": "graduated",
            "tiers": [
                {"up_to": included, "unit_amount": 0},
                {"up_to": "inf", "unit_amount_decimal": amount},
            ],
        }
    else:
        params = {"billing_scheme": "per_unit", "unit_amount_decimal": amount}
    return {
        "lookup_key": ticket_lookup_key(plan, terms.currency),
        "terms": f"{terms.currency.lower()}:{amount}:{included}:{meter_id}",
        "params": {**params, "recurring": recurring},
    }


def _price_ensure(
    client: stripe.StripeClient,
    plan: Plan,
    price_terms: PlanPriceTerms,
    *,
    lookup_key: str,
    terms: str,
    params: dict[str, Any],
) -> tuple[str, str]:
    """The id of a price with these terms under ``lookup_key``, replacing one that differs."""
    found = client.v1.prices.list({"lookup_keys": [lookup_key], "limit": 1}).data
    current = found[0] if found else None
    if current and current.metadata.to_dict().get("kefu_terms") == terms:
        if current.active:
            return current.id, "unchanged"
        client.v1.prices.update(current.id, {"active": True})
        return current.id, "updated"
    price = client.v1.prices.create(
        {
            **params,
            "currency": price_terms.currency.lower(),
            "product": plan.stripe_product_id,
            "lookup_key": lookup_key,
            "transfer_lookup_key": True,
            "metadata": {"kefu_plan_code": plan.code, "kefu_terms": terms},
        }
    )
    if current and current.active:
        client.v1.prices.update(current.id, {"active": False})
    return price.id, "created"
