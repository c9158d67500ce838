"""A local stand-in for the few Stripe API endpoints Kefu uses, so the real ``stripe`` library
can be tested without the internet, and webhook deliveries signed the way Stripe signs them.

    def test_x(stripe_standin):                   # settings now point at the stand-in
        events = stripe_standin.checkout_complete_simulate(session_id)
        body, header = signed_delivery(events[0])  # POST body + Stripe-Signature header
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.billing.standin.server import form_decode
from tests.billing.standin.subscriptions import StripeStandin

__all__ = [
    "WEBHOOK_SECRET",
    "StripeStandin",
    "form_decode",
    "no_internet",
    "signed_delivery",
    "stripe_standin",
]

WEBHOOK_SECRET = "whsec_standin_0123456789abcdef"


def signed_delivery(
    event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, str]:
    """The body and ``Stripe-Signature`` header of a webhook delivery: an HMAC-SHA256 of
    ``"<timestamp>.<body>"`` with the endpoint secret, in Stripe's ``t=...,v1=...`` format."""
    body = json.dumps(event, indent=2)
    signed_at = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{signed_at}.{body}".encode(), hashlib.sha256)
    return body.encode(), f"t={signed_at},v1={digest.hexdigest()}"


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this machine may be reached (the stand-in and the test database)."""
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"test tried to reach {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def stripe_standin(settings: Any, no_internet: None) -> Iterator[StripeStandin]:
    """A running stand-in; Kefu's settings point the stripe library (and webhooks) at it."""
    standin = StripeStandin().start()
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    settings.KEFU_STRIPE_API_BASE = standin.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    try:
        yield standin
    finally:
        standin.stop()
