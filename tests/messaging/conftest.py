from __future__ import annotations

from pathlib import Path

import pytest

from kefu.tenancy import tenant_context

FIXTURES = Path(__file__).parent / "fixtures"


def eml(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


@pytest.fixture
def deliver(db):
    """``deliver(tenant, raw_or_fixture_name, **envelope)``: stored and processed, like the
    command does; returns the InboundEmail (refreshed)."""
    from kefu.messaging.inbound import email_process, email_receive

    def run(tenant, raw: bytes | str, **envelope):
        data = eml(raw) if isinstance(raw, str) else raw
        with tenant_context(tenant):
            inbound = email_receive(raw=data, source="test", **envelope)
            inbound = email_process(inbound=inbound)
            inbound.refresh_from_db()
            return inbound

    return run
