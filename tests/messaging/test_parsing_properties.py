"""Property tests: random byte mutations of the real fixtures (flip, insert, delete, truncate)
never make parsing raise, and through the whole receive path every message is stored raw and
ends processed or quarantined with a reason."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.messaging.models import InboundEmail
from kefu.messaging.parsing import parse_email
from kefu.tenancy import tenant_context
from tests.messaging.conftest import FIXTURES

SAMPLES = {path.stem: path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))}
NAMES = sorted(SAMPLES)

_mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 64)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(0)),
)


def mutate(data: bytes, mutations: list[tuple]) -> bytes:
    buffer = bytearray(data)
    for kind, position, value in mutations:
        at = position % (len(buffer) + 1)
        if kind == "flip" and buffer:
            buffer[at % len(buffer)] ^= value
        elif kind == "insert":
            buffer[at:at] = value
        elif kind == "delete":
            del buffer[at : at + value]
        elif kind == "truncate":
            del buffer[at:]
    return bytes(buffer)


mutated_messages = st.builds(
    mutate, st.sampled_from(NAMES).map(SAMPLES.__getitem__), st.lists(_mutation, max_size=8)
)


@settings(max_examples=4000, deadline=None, derandomize=True, database=None)
@given(raw=mutated_messages)
def test_parse_email_never_raises_on_mutated_mail(raw):
    parsed = parse_email(raw)
    assert isinstance(parsed.text, str)
    assert isinstance(parsed.subject, str)
    assert "\x00" not in parsed.text
    for attachment in parsed.attachments:
        assert attachment.filename


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(raw=st.binary(max_size=2048))
def test_parse_email_never_raises_on_random_bytes(raw):
    parse_email(raw)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=mutated_messages)
def test_every_mutated_message_is_stored_and_ends_handled(tenant_a, raw):
    from kefu.messaging.inbound import email_process, email_receive

    with tenant_context(tenant_a):
        inbound = email_receive(raw=raw, source="property-test")
        handled = email_process(inbound=inbound)
        assert handled.status in ("processed", "quarantined")
        if handled.status == "quarantined":
            assert handled.reason
        # This delivery is stored byte for byte (as the original or as a duplicate of it).
        stored = InboundEmail.objects.filter(sha256=hashlib.sha256(raw).hexdigest()).latest("pk")
        with stored.raw.open("rb") as handle:
            assert handle.read() == raw
