"""``kefu run``: everything for a local Kefu in one command.

Starts (or reuses) the embedded PostgreSQL and Redis, migrates the public, template and tenant
schemas, creates the public site and the demo workspace, then runs the web server and a dramatiq
worker until Ctrl-C, and stops all of it cleanly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from billing.seed import plans_seed
from kefu.core.demo import demo_seed, operator_seed
from tenants.services import platform_bootstrap


class Command(BaseCommand):
    help = "Run Kefu locally: database, migrations, demo workspace, web server and worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1", help="address to bind the web server")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start a worker (nor the scheduler)"
        )
        parser.add_argument("--threads", type=int, default=2, help="worker threads")
        parser.add_argument(
            "--debug",
            action="store_true",
            help="development: Django's DEBUG pages (URL lists, tracebacks with settings)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Migrating public, template and tenant schemas ...")
        call_command("migrate_schemas", interactive=False, verbosity=0)
        platform_bootstrap()
        plans_seed()  # starter plans on an installation that has none (older data dirs too)
        tenant, accounts = demo_seed()
        call_command("search_reindex", missing_only=True, verbosity=0)
        operator = operator_seed()
        if operator is not None:
            accounts = [operator, *accounts]

        env = {
            **os.environ,
            "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL,
            "KEFU_CACHE_URL": settings.CACHE_URL,
            "KEFU_PUBLIC_PORT": str(options["port"]),
            # Whoever tries Kefu with the README's first command runs it for real: Kefu's own
            # error pages unless asked for Django's debug pages.
            "KEFU_DEBUG": "1" if options["debug"] else "0",
        }
        cli = [sys.executable, "-m", "kefu.cli"]
        children = [
            subprocess.Popen(
                [*cli, "runserver", f"{options['addr']}:{options['port']}", "--noreload"],
                env=env,
            )
        ]
        if not options["no_worker"]:
            children.append(
                subprocess.Popen(
                    [
                        *cli,
                        "rundramatiq",
                        "--processes",
                        "1",
                        "--threads",
                        str(options["threads"]),
                        "--worker-shutdown-timeout",
                        "10000",
                    ],
                    env=env,
                )
            )
            # Periodic jobs (SLA checks, queue draining, daily clean-ups) for that worker.
            children.append(subprocess.Popen([*cli, "scheduler"], env=env))
        self._announce(options["port"], tenant.slug, accounts)
        self._supervise(children)

    def _announce(self, port: int, demo_slug: str, accounts: list[Any]) -> None:
        root = settings.ROOT_DOMAIN
        lines = [
            "",
            "Kefu is running:",
            f"  public site       http://{root}:{port}/",
            f"  sign up           http://{root}:{port}/signup/",
            f"  operator console  http://{root}:{port}/operator/",
            f"  demo workspace    http://{demo_slug}.{root}:{port}/",
        ]
        if accounts:
            lines.append("Accounts (passwords are shown this once):")
            lines += [f"  {a.role:<9} {a.email:<24} {a.password}" for a in accounts]
        lines += ["Press Ctrl-C to stop.", ""]
        self.stdout.write("\n".join(lines))

    def _supervise(self, children: list[subprocess.Popen[bytes]]) -> None:
        stopping = False

        def request_stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        exit_code = 0
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    self.stderr.write(f"{child.args[3]} exited with {child.returncode}; stopping")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.2)
        self.stdout.write("Stopping web server and worker ...")
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
        # The embedded database and broker stop on exit (atexit) because this process owns them.
        self.stdout.write("Stopped.")
        if exit_code:
            raise SystemExit(exit_code)
