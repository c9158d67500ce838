"""Browser tests: a real Kefu (web server and dramatiq worker processes) on the test database,
driven by Playwright in Debian's Chromium. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.billing.standin import WEBHOOK_SECRET, StripeStandin
from tests.helpers import delete_demo, run_kefu, test_database_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class LiveKefu:
    port: int
    mail_dir: Path
    #: The Stripe stand-in the server and worker talk to (Checkout pages, webhooks to send).
    stripe: StripeStandin

    def url(self, path: str = "/", host: str = "localhost") -> str:
        return f"http://{host}:{self.port}{path}"

    def wait_for_mail(self, needle: str, timeout: float = 30) -> str:
        """The text of the first mail file containing ``needle`` (the worker sends mail)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in sorted(self.mail_dir.glob("*.log")):
                text = path.read_text(errors="replace")
                if needle in text:
                    return text
            time.sleep(0.2)
        raise AssertionError(f"no mail containing {needle!r} within {timeout}s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, processes: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@pytest.fixture(scope="session")
def live_kefu(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LiveKefu]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: ./test.sh installs it (apt-get install chromium)")
    port = _free_port()
    work = tmp_path_factory.mktemp("live-kefu")
    mail_dir = work / "mail"
    with django_db_blocker.unblock():
        database_url = test_database_url()
    stripe = StripeStandin().start()
    env = {
        **os.environ,
        "KEFU_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "kefu.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "KEFU_CACHE_URL": settings.CACHE_URL,
        "KEFU_PUBLIC_PORT": str(port),
        "KEFU_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "KEFU_EMAIL_FILE_PATH": str(mail_dir),
        "STRIPE_SECRET_KEY": "sk_test_standin",
        "KEFU_STRIPE_API_BASE": stripe.url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    cli = [sys.executable, "-m", "kefu.cli"]
    log = (work / "server.log").open("w")
    processes = [
        subprocess.Popen(
            [*cli, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [*cli, "rundramatiq", "--processes", "1", "--threads", "2"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip
    try:
        _wait_until_up(f"http://localhost:{port}/healthz", processes)
        yield LiveKefu(port=port, mail_dir=mail_dir, stripe=stripe)
    finally:
        stripe.stop()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        sys.stdout.write((work / "server.log").read_text()[-3000:])


@pytest.fixture
def browser(live_kefu) -> Iterator[object]:
    """Per test: Playwright's sync API runs an event loop in this thread while it is open, and
    Django refuses database calls then, so it must not outlive the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def demo(live_kefu) -> Iterator[LiveKefu]:
    """The demo workspace (``kefu run`` creates the same), deleted after the test."""
    result = run_kefu("shell", "-c", "from kefu.core.demo import demo_seed; demo_seed()")
    assert result.returncode == 0, result.stderr
    yield live_kefu
    delete_demo()


def demo_shell(code: str) -> str:
    """Run Python inside the demo workspace's schema in another process; returns its output."""
    script = (
        "from kefu.tenancy import tenant_context\n"
        "from tenants.models import Tenant\n"
        "with tenant_context(Tenant.objects.get(slug='demo')):\n"
        + "".join(f"    {line}\n" for line in code.strip().splitlines())
    )
    result = run_kefu("shell", "-c", script)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
