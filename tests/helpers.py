"""Helpers for tests that run Kefu's CLI as a separate process against the test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def test_database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"]
    if host.startswith("/"):
        return f"postgresql://{quote(db['USER'])}@/{db['NAME']}?host={quote(host)}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{host}{port}/{db['NAME']}"


def run_kefu(
    *args: str, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``kefu ARGS`` as its own process, on the test database and broker."""
    full_env = {
        **os.environ,
        "KEFU_ENV": "test",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "KEFU_CACHE_URL": settings.CACHE_URL,
        "DJANGO_SETTINGS_MODULE": "kefu.settings.test",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "kefu.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def delete_tenant_by_slug(slug: str) -> None:
    """Delete a workspace from another process (its rows are committed, unlike a test's)."""
    result = run_kefu(
        "shell",
        "-c",
        "from tenants.models import Tenant\n"
        "from tenants.services import tenant_delete\n"
        f"[tenant_delete(tenant=t) for t in Tenant.objects.filter(slug={slug!r})]",
    )
    assert result.returncode == 0, result.stderr


def delete_demo() -> None:
    """Delete the demo workspace and the starter plans its seeding created (when no other
    workspace uses them), so later tests start from an empty plan list."""
    delete_tenant_by_slug("demo")
    result = run_kefu(
        "shell",
        "-c",
        "from billing.models import Plan\n"
        "from billing.seed import STARTER_PLANS\n"
        "codes = [row[0] for row in STARTER_PLANS]\n"
        "Plan.objects.filter(code__in=codes, tenants__isnull=True).delete()",
    )
    assert result.returncode == 0, result.stderr


def run_worker_until_idle(queue: str, *, threads: int = 1, timeout_ms: int = 120_000) -> None:
    """Run a real dramatiq worker on ``queue`` until every message on it was processed."""
    import dramatiq
    from dramatiq import Worker

    broker = dramatiq.get_broker()
    worker = Worker(broker, queues={queue}, worker_threads=threads, worker_timeout=100)
    worker.start()
    try:
        broker.join(queue, timeout=timeout_ms)
        worker.join()
    finally:
        worker.stop()


def run_together(calls: list[Callable[[], object]], *, timeout: float = 120) -> list[object]:
    """Start the calls at the same moment, each on its own thread and database connection;
    each result is what the call returned or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # the tests inspect what each call raised
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results


@contextlib.contextmanager
def committed_tenant(slug: str, name: str) -> Iterator[object]:
    """A workspace whose rows are committed (other connections see them), deleted afterwards.
    Use inside ``django_db_blocker.unblock()``."""
    from tenants.models import Tenant
    from tenants.services import tenant_delete, tenant_provision

    for leftover in Tenant.objects.filter(slug=slug):  # an interrupted run
        tenant_delete(tenant=leftover)
    tenant = tenant_provision(slug=slug, name=name)
    try:
        yield tenant
    finally:
        connection.set_schema_to_public()
        tenant_delete(tenant=tenant)


def csp_policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as ``{directive: [sources]}`` (empty if none)."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}
