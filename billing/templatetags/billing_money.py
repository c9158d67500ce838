"""``{{ amount|money:"CNY" }}`` -> ``¥199.00``; ``{{ price|unit_money:"USD" }}`` -> ``$0.015``."""

from __future__ import annotations

from decimal import Decimal

from django import template

from billing.pricing import money_format

register = template.Library()


@register.filter
def money(amount: Decimal | int | None, currency: str) -> str:
    if amount is None:
        return "—"
    return money_format(Decimal(amount), currency)


@register.filter
def unit_money(amount: Decimal | int | None, currency: str) -> str:
    if amount is None:
        return "—"
    return money_format(Decimal(amount), currency, unit_price=True)
