"""Reading recorded usage (inside a workspace's schema)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Sum

from billing.metering.models import UsageEvent


def usage_in_period(*, start: datetime, end: datetime) -> int:
    """Resolved tickets counted in [start, end), whether reported to Stripe yet or not (one
    query). Runs inside a tenant schema."""
    total = UsageEvent.objects.filter(
        kind=UsageEvent.Kind.RESOLVED_TICKET, occurred_at__gte=start, occurred_at__lt=end
    ).aggregate(total=Sum("quantity"))["total"]
    return int(total or 0)
