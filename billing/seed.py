"""Starter plans for a new installation (``kefu run`` seeds them; operators edit them later)."""

from __future__ import annotations

from decimal import Decimal

from billing.models import Plan, PlanPrice
from kefu.tenancy import public_context

# code, name, base USD, included tickets, per extra ticket USD, max agents, max channels,
# (CNY base, CNY per extra ticket)
STARTER_PLANS = [
    ("free", "Free", "0", 50, "0", 2, 1, ("0", "0")),
    ("team", "Team", "29", 500, "0.05", 10, 3, ("199", "0.35")),
    ("business", "Business", "99", 3000, "0.03", None, None, ("699", "0.20")),
]


def plans_seed() -> list[Plan]:
    """Create the starter plans if there are no plans at all; returns the plans."""
    with public_context():
        if Plan.objects.exists():
            return list(Plan.objects.all())
        plans = []
        for code, name, base, included, extra, agents, channels, cny in STARTER_PLANS:
            plan = Plan.objects.create(
                code=code,
                name=name,
                currency="USD",
                monthly_base_price=Decimal(base),
                included_resolved_tickets=included,
                price_per_extra_resolved_ticket=Decimal(extra),
                included_agents=agents or 25,
                max_agents=agents,
                max_channels=channels,
                trial_days=0 if code == "free" else 14,
                is_default=code == "free",
            )
            PlanPrice.objects.create(
                plan=plan,
                currency="CNY",
                monthly_base_price=Decimal(cny[0]),
                price_per_extra_resolved_ticket=Decimal(cny[1]),
            )
            plans.append(plan)
        return plans
