"""Helpers for tests that run Kefu's CLI as a separate process against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
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
