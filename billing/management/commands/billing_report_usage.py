"""``kefu billing_report_usage [--tenant SLUG]``: report pending usage to Stripe now, for one
workspace or every active one, and print ``{"reported": n, "not_billable": m, "pending": k}``
as one JSON line. The same work as the scheduled job, run in this process; safe to run while
the job runs too."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from billing.metering.reporting import UsageReportResult, usage_report_to_stripe
from kefu.tenancy import schema_context


class Command(BaseCommand):
    help = "Report pending usage (resolved tickets) to Stripe as meter events."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tenant", metavar="SLUG", help="only this workspace")

    def handle(self, *args: Any, **options: Any) -> None:
        from kefu.tickets.jobs_sla import workspace_schemas
        from tenants.models import Tenant

        if options["tenant"]:
            tenant = Tenant.objects.filter(slug=options["tenant"]).first()
            if tenant is None:
                raise CommandError(f"No workspace with the slug {options['tenant']!r}.")
            schemas = [tenant.schema_name]
        else:
            schemas = workspace_schemas(include_suspended=True)
        total = UsageReportResult()
        for schema_name in schemas:
            with schema_context(schema_name):
                total.add(usage_report_to_stripe())
        if total.error:
            self.stderr.write(f"Stopped early, the rest is retried later: {total.error}")
        self.stdout.write(json.dumps(total.as_dict(), sort_keys=True))
