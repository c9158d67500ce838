"""Errors and log lines name the tenant they happened in."""

from __future__ import annotations

import logging

import sentry_sdk
from sentry_sdk.transport import Transport

from kefu.observability import TenantLogFilter, init_sentry
from kefu.tenancy import tenant_context


class CapturingTransport(Transport):
    """Keeps envelopes in memory instead of sending them to Sentry's servers."""

    envelopes: list = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


def _events() -> list[dict]:
    events = []
    for envelope in CapturingTransport.envelopes:
        event = envelope.get_event()
        if event is not None:
            events.append(event)
    return events


def test_no_dsn_means_no_sentry():
    assert init_sentry(dsn="", environment="test", traces_sample_rate=0) is False


def test_sentry_events_carry_the_tenant(tenant_a):
    CapturingTransport.envelopes = []
    assert init_sentry(
        dsn="https://public@sentry.example.invalid/1",
        environment="test",
        traces_sample_rate=0,
        transport=CapturingTransport,
    )
    try:
        with tenant_context(tenant_a):
            sentry_sdk.capture_message("something broke in alpha")
        sentry_sdk.capture_message("something broke on the platform")
        sentry_sdk.flush()
    finally:
        sentry_sdk.init(dsn=None)
    tags = {event["message"]: event["tags"]["tenant"] for event in _events()}
    assert tags == {
        "something broke in alpha": "t_alpha",
        "something broke on the platform": "public",
    }


def test_request_errors_are_tagged_with_the_host_tenant(client, tenant_b):
    CapturingTransport.envelopes = []
    init_sentry(
        dsn="https://public@sentry.example.invalid/1",
        environment="test",
        traces_sample_rate=0,
        transport=CapturingTransport,
    )
    try:
        client.get("/", HTTP_HOST="beta.localhost")
        sentry_sdk.capture_message("after a beta request")
        sentry_sdk.flush()
    finally:
        sentry_sdk.init(dsn=None)
    event = next(e for e in _events() if e["message"] == "after a beta request")
    assert event["tags"]["tenant"] == "t_beta"


def test_log_lines_name_their_tenant(tenant_a):
    record = logging.LogRecord("kefu", logging.INFO, __file__, 1, "hello", (), None)
    with tenant_context(tenant_a):
        TenantLogFilter().filter(record)
    assert record.tenant == "t_alpha"
