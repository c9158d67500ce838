"""``kefu ingest_email FILE.eml --tenant SLUG``: receive one email as if it had arrived by mail.

``-`` reads the message from standard input. The raw message is stored, then processed at once
(not in a job), and one JSON line tells what happened:
``{"inbound": 12, "status": "processed", "ticket": 1042, "reason": ""}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kefu.messaging.inbound import email_process, email_receive
from kefu.tenancy import tenant_context
from tenants.selectors import tenant_get_by_slug

MAX_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Receive an .eml file (or - for standard input) into a workspace's inbox."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .eml file, or - to read standard input")
        parser.add_argument("--tenant", required=True, help="the workspace's subdomain")
        parser.add_argument("--recipient", default="", help="envelope recipient (optional)")
        parser.add_argument("--sender", default="", help="envelope sender (optional)")

    def _read(self, name: str) -> bytes:
        try:
            if name == "-":
                data = sys.stdin.buffer.read(MAX_BYTES + 1)
            else:
                with Path(name).open("rb") as handle:
                    data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error.strerror or error}") from error
        if len(data) > MAX_BYTES:
            raise CommandError(f"{name} is larger than {MAX_BYTES // 2**20} MB")
        return data

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_get_by_slug(slug=options["tenant"])
        if tenant is None:
            raise CommandError(f"no workspace {options['tenant']!r}")
        raw = self._read(options["file"])
        with tenant_context(tenant):
            inbound = email_receive(
                raw=raw,
                source="command",
                envelope_sender=options["sender"],
                envelope_recipient=options["recipient"],
            )
            inbound = email_process(inbound=inbound)
        result = {
            "inbound": inbound.pk,
            "status": inbound.status,
            "ticket": inbound.ticket_id,
            "reason": inbound.reason,
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))
