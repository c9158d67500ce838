"""`kefu run` (the README's run command) brings up a working Kefu from nothing and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, host: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow
def test_run_serves_public_site_and_demo_workspace_then_stops_cleanly(tmp_path_factory):
    data_dir: Path = tmp_path_factory.mktemp("run")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"KEFU_ENV": "development", "KEFU_DATA_DIR": str(data_dir)})
    process = subprocess.Popen(
        [sys.executable, "-m", "kefu.cli", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        deadline = time.monotonic() + 120
        while "Press Ctrl-C to stop." not in output:
            assert process.poll() is None, output
            assert time.monotonic() < deadline, output
            output += process.stdout.readline()
        for _attempt in range(100):
            try:
                status, body = _get(port, "localhost")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        assert "A support desk that answers before a human is needed" in body
        status, body = _get(port, f"demo.localhost:{port}")
        assert status == 200
        assert "如何重置密码？" in body or "How do I reset my password?" in body
        assert "owner@demo.example" in output, "the demo passwords are printed on first run"
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
        output += rest
    assert process.returncode == 0, output
    assert "Stopped." in output
    server_log = (data_dir / "pgdata" / "server.log").read_text()[-3000:]
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), f"{output}\n{server_log}"
    assert not (data_dir / "redis" / "redis.sock").exists(), "Redis was stopped"
