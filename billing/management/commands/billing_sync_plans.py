"""``kefu billing_sync_plans``: create or update every plan's Stripe product, prices and meter;
prints the report as one JSON line. Safe to run again: nothing is duplicated."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from billing.stripe_sync import plans_sync_to_stripe


class Command(BaseCommand):
    help = "Sync plans to Stripe products, prices and the resolved-ticket meter."

    def handle(self, *args: Any, **options: Any) -> None:
        report = plans_sync_to_stripe()
        self.stdout.write(json.dumps(report.as_dict(), sort_keys=True))
