"""Prices in a workspace's currency, money shown the way people read it, and the bill so far
and at the current pace. Pure functions over plans and numbers: no Stripe, no schema switching
(``plan_price_in`` reads ``PlanPrice`` rows, which live in the public schema)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from billing.models import Plan

# Stripe's zero-decimal currencies: amounts are sent in whole units, not hundredths.
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX",
                "VND", "VUV", "XAF", "XOF", "XPF"}  # fmt: skip
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥", "HKD": "HK$", "SGD": "S$"}


class PlanPriceTerms(NamedTuple):
    """What a plan costs in one currency: the monthly base fee and each extra resolved ticket."""

    currency: str
    base: Decimal
    per_ticket: Decimal


def plan_price_in(plan: Plan, currency: str) -> PlanPriceTerms:
    """The plan's price in ``currency``, or in the plan's own currency when it has none there."""
    currency = (currency or "").upper()
    if currency and currency != plan.currency.upper():
        # Prefetched prices are used as they are: a page listing plans asks for each of them.
        cache = getattr(plan, "_prefetched_objects_cache", {})
        prices = cache["prices"] if "prices" in cache else plan.prices.all()
        for price in prices:
            if price.currency.upper() == currency:
                return PlanPriceTerms(
                    currency, price.monthly_base_price, price.price_per_extra_resolved_ticket
                )
    return PlanPriceTerms(
        plan.currency.upper(), plan.monthly_base_price, plan.price_per_extra_resolved_ticket
    )


def decimal_places(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def money_round(amount: Decimal, currency: str) -> Decimal:
    """Rounded to what the currency can charge (cents, or whole yen)."""
    return amount.quantize(Decimal(1).scaleb(-decimal_places(currency)), rounding=ROUND_HALF_UP)


def money_format(amount: Decimal, currency: str, *, unit_price: bool = False) -> str:
    """``$29.00``, ``¥199.00``, ``¥1,500`` (yen have no cents). A unit price keeps the extra
    digits it was set with (``$0.015``), since a rounded one would mislead."""
    currency = currency.upper()
    places = decimal_places(currency)
    if unit_price:
        exponent = amount.normalize().as_tuple().exponent
        places = max(places, -exponent if isinstance(exponent, int) else 0)
    else:
        amount = money_round(amount, currency)
    text = f"{amount:,.{places}f}"
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{text} {currency}"
    return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"


@dataclass(frozen=True)
class BillEstimate:
    """The bill of one period: so far, and projected at the current pace to the period's end."""

    currency: str
    base: Decimal
    per_ticket: Decimal
    included_tickets: int
    used_tickets: int
    extra_tickets: int
    extra_amount: Decimal
    total_so_far: Decimal
    projected_tickets: int
    projected_extra_amount: Decimal
    projected_total: Decimal


def _extra(tickets: int, *, included: int, per_ticket: Decimal, currency: str) -> Decimal:
    return money_round(max(tickets - included, 0) * per_ticket, currency)


def bill_estimate(
    *,
    plan: Plan,
    currency: str,
    used_tickets: int,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> BillEstimate:
    """What ``used_tickets`` cost so far this period, and what the period will cost if tickets
    keep being resolved at the pace seen since it began."""
    terms = plan_price_in(plan, currency)
    included = plan.included_resolved_tickets
    total_seconds = (period_end - period_start).total_seconds()
    # At least an hour elapsed: a period one minute old would project absurd numbers.
    elapsed = min(max((now - period_start).total_seconds(), 3600.0), total_seconds)
    projected = used_tickets
    if total_seconds > 0 and elapsed > 0:
        pace = Decimal(used_tickets) * Decimal(total_seconds) / Decimal(elapsed)
        projected = max(int(pace.quantize(Decimal(1), rounding=ROUND_HALF_UP)), used_tickets)
    extra = _extra(
        used_tickets, included=included, per_ticket=terms.per_ticket, currency=terms.currency
    )
    projected_extra = _extra(
        projected, included=included, per_ticket=terms.per_ticket, currency=terms.currency
    )
    base = money_round(terms.base, terms.currency)
    return BillEstimate(
        currency=terms.currency,
        base=base,
        per_ticket=terms.per_ticket,
        included_tickets=included,
        used_tickets=used_tickets,
        extra_tickets=max(used_tickets - included, 0),
        extra_amount=extra,
        total_so_far=base + extra,
        projected_tickets=projected,
        projected_extra_amount=projected_extra,
        projected_total=base + projected_extra,
    )
