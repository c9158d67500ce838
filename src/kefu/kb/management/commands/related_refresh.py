"""``kefu related_refresh``: queue the related-articles refresh for every workspace (run it from
cron, e.g. nightly); ``--now`` computes in this process instead."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.kb.jobs import related_refresh_job
from kefu.kb.related import related_refresh
from kefu.tenancy import tenant_context
from tenants.selectors import tenant_list


class Command(BaseCommand):
    help = "Recompute related articles (text similarity and co-reading) for every workspace."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="compute here, not in a job")

    def handle(self, *args: Any, **options: Any) -> None:
        for tenant in tenant_list():
            if options["now"]:
                with tenant_context(tenant):
                    count = related_refresh()
                self.stdout.write(f"{tenant.slug}: {count} links")
            else:
                related_refresh_job.send_to_schema(tenant.schema_name)
                self.stdout.write(f"{tenant.slug}: queued")
