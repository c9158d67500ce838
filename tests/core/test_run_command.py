"""`kefu run` (the README's run command) brings up a working Kefu from nothing and stops cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, host: str, path: str = "/") -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """One data folder for the module: the first run creates everything, later runs reuse it."""
    return tmp_path_factory.mktemp("run")


@contextlib.contextmanager
def _kefu_run(data_dir: Path, *flags: str) -> Iterator[tuple[int, list[str]]]:
    """``kefu run FLAGS`` until it says it is ready; yields its port and output so far, then
    stops it with Ctrl-C and checks that it stopped cleanly."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "KEFU_DEBUG"}
    }
    env.update({"KEFU_ENV": "development", "KEFU_DATA_DIR": str(data_dir)})
    process = subprocess.Popen(
        [sys.executable, "-m", "kefu.cli", "run", "--port", str(port), *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = [""]
    try:
        deadline = time.monotonic() + 120
        while "Press Ctrl-C to stop." not in output[0]:
            assert process.poll() is None, output[0]
            assert time.monotonic() < deadline, output[0]
            output[0] += process.stdout.readline()
        # The web server may print its banner a while before it accepts (a loaded machine).
        while time.monotonic() < deadline:
            try:
                _get(port, "localhost")
                break
            except OSError:
                time.sleep(0.2)
        yield port, output
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
        output[0] += rest
    assert process.returncode == 0, output[0]
    assert "Stopped." in output[0]
    server_log = (data_dir / "pgdata" / "server.log").read_text()[-3000:]
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), f"{output[0]}\n{server_log}"
    assert not (data_dir / "redis" / "redis.sock").exists(), "Redis was stopped"


@pytest.mark.slow
def test_run_serves_public_site_and_demo_workspace_then_stops_cleanly(data_dir):
    with _kefu_run(data_dir) as (port, output):
        status, body = _get(port, "localhost")
        assert status == 200
        assert "A support desk that answers before a human is needed" in body
        status, body = _get(port, f"demo.localhost:{port}")
        assert status == 200
        assert "如何重置密码？" in body or "How do I reset my password?" in body
        assert "owner@demo.example" in output[0], "the demo passwords are printed on first run"

        # Served for real: Kefu's own 404 page, not Django's list of every URL; static files
        # are served all the same.
        status, body = _get(port, f"demo.localhost:{port}", "/no-such-page/")
        assert status == 404
        assert "Page not found" in body
        assert "URLconf" not in body
        assert "desk/" not in body
        status, css = _get(port, f"demo.localhost:{port}", "/static/core/kefu.css")
        assert status == 200
        assert "--brand" in css


@pytest.mark.slow
def test_run_with_debug_shows_django_debug_pages(data_dir):
    with _kefu_run(data_dir, "--debug") as (port, _output):
        status, body = _get(port, "localhost", "/no-such-page/")
        assert status == 404
        assert "Using the URLconf defined in" in body
