"""Fixtures of the fault tests: a committed workspace per module (Kefu's own processes must see
its rows), the processes a test starts (stopped after it, their output shown when it fails)
and a mail server on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import committed_tenant
from tests.security.faults.support import FakeSmtp, KefuProcess


@pytest.fixture(scope="module")
def workspace(request, django_db_setup, django_db_blocker) -> Iterator[object]:
    """A workspace named after the test module (``faults-worker-killed``), committed."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    with django_db_blocker.unblock(), committed_tenant(f"faults-{name}", name) as tenant:
        connection.set_schema_to_public()
        yield tenant


@pytest.fixture
def db_access(django_db_blocker) -> Iterator[None]:
    """Database access outside a test transaction: what this test writes is committed."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


class Processes:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[KefuProcess] = []

    def log(self, name: str) -> Path:
        return self.folder / f"{name}-{len(self.started)}.log"

    def add(self, process: KefuProcess) -> KefuProcess:
        self.started.append(process)
        return process.start()


@pytest.fixture
def processes(tmp_path) -> Iterator[Processes]:
    tracked = Processes(tmp_path)
    try:
        yield tracked
    finally:
        for process in tracked.started:
            process.stop()
        for process in tracked.started:
            sys.stdout.write(f"\n--- {process.log.name} ---\n{process.output()[-4000:]}")


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    server = FakeSmtp().start()
    try:
        yield server
    finally:
        server.stop()
