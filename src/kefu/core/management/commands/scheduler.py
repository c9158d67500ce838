"""``kefu scheduler``: the clock for periodic jobs.

Every ``--interval`` seconds (60 by default) it sends ``sla_check_all_tenants``, which fans out
the SLA check and the routing queue drain to every active workspace, and
``billing_dunning_check`` (workspaces whose grace period ran out become read-only); every 5
minutes ``usage_report_all_tenants``, which reports usage to Stripe; once a day it queues the
related-articles refresh, the held-drafts clean-up and the expiry of old data exports for every
workspace. It only sends messages: the dramatiq workers do the work. Several schedulers may
run (one per host): a tick is claimed in the shared cache, so each minute and each day is sent
once. ``--once`` runs one tick and exits.
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.utils import timezone

#: Usage goes to Stripe every 5 minutes (a Stripe outage only delays it).
USAGE_REPORT_SECONDS = 300


def _claim(key: str, seconds: int) -> bool:
    """True for the first scheduler that asks for this key in the period."""
    return bool(cache.add(f"kefu:scheduler:{key}", 1, timeout=seconds))


def scheduler_tick(*, now: datetime, interval: int) -> list[str]:
    """Send what is due at ``now``; returns the names of the jobs sent."""
    from billing.jobs import billing_dunning_check_job
    from billing.metering.jobs import usage_report_all_tenants
    from kefu.desk.jobs import exports_expire_job
    from kefu.kb.jobs import related_refresh_job
    from kefu.tickets.jobs import drafts_cleanup_job
    from kefu.tickets.jobs_sla import sla_check_all_tenants, workspace_schemas

    sent = []
    slot = int(now.timestamp()) // max(interval, 1)
    if _claim(f"sla:{interval}:{slot}", max(interval - 1, 1)):
        sla_check_all_tenants.send()
        sent.append("sla_check_all_tenants")
    if _claim(f"billing_dunning:{interval}:{slot}", max(interval - 1, 1)):
        billing_dunning_check_job.send()
        sent.append("billing_dunning_check")
    usage_slot = int(now.timestamp()) // USAGE_REPORT_SECONDS
    if _claim(f"usage:{usage_slot}", USAGE_REPORT_SECONDS - 1):
        usage_report_all_tenants.send()
        sent.append("usage_report_all_tenants")
    if _claim(f"related:{now.date().isoformat()}", 24 * 3600):
        for schema_name in workspace_schemas():
            related_refresh_job.send_to_schema(schema_name)
            drafts_cleanup_job.send_to_schema(schema_name)
            exports_expire_job.send_to_schema(schema_name)
        sent.extend(["related_refresh", "drafts_cleanup", "exports_expire"])
    return sent


class Command(BaseCommand):
    help = (
        "Send periodic jobs (SLA and billing checks every minute, related articles daily) "
        "to the workers."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=int, default=60, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="run one tick and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(1, options["interval"])
        stop = threading.Event()
        if not options["once"] and threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_args: stop.set())
        while not stop.is_set():
            sent = scheduler_tick(now=timezone.now(), interval=interval)
            if options["verbosity"] > 0:
                self.stdout.write(f"{timezone.now():%H:%M:%S} sent: {', '.join(sent) or '-'}")
            if options["once"]:
                return
            stop.wait(interval)
