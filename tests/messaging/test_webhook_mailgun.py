"""Mail arriving through Mailgun's inbound webhook (root domain): verified by anymail's real
view and signature check, routed by recipient to its workspace's schema, never lost.

``email_receive`` belongs to the inbound-mail work; here a recorder stands in for it (the
``received`` fixture), except in the last test, which runs the real one once it exists.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import inspect
import secrets
import time
import uuid

import pytest
from django.db import connection

from kefu.messaging import inbound
from kefu.messaging.models import InboundEmail
from kefu.tenancy import public_context, tenant_context
from tenants.models import UnroutedEmail

SIGNING_KEY = "key-" + "3" * 32
MIME_URL = "/email/inbound/mailgun_mime/"
PARSED_URL = "/email/inbound/mailgun/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mailgun_configured(settings) -> None:
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


@pytest.fixture
def received(monkeypatch) -> list[dict]:
    """Calls of email_receive: where (schema) and with what."""
    calls: list[dict] = []

    def record(**kwargs) -> InboundEmail:
        calls.append({"schema": connection.schema_name, **kwargs})
        return InboundEmail(source=kwargs["source"])

    monkeypatch.setattr(inbound, "email_receive", record)
    return calls


def _raw(to: str = "support@alpha.localhost", body: bytes = b"My printer is on fire.") -> bytes:
    return (
        b"From: Casey <casey@example.com>\r\n"
        b"To: " + to.encode() + b"\r\n"
        b"Subject: Printer\r\n"
        b"Message-ID: <" + uuid.uuid4().hex.encode() + b"@example.com>\r\n"
        b"Content-Type: text/plain; charset=gbk\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n" + body + b"\r\n"
    )


def _signature(timestamp: str, token: str, key: str = SIGNING_KEY) -> str:
    """As Mailgun signs: HMAC-SHA256 of timestamp + token with the webhook signing key."""
    return hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


def _signed(fields: dict[str, bytes | str], key: str = SIGNING_KEY) -> dict[str, bytes | str]:
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    return {**fields, "timestamp": timestamp, "token": token,
            "signature": _signature(timestamp, token, key)}  # fmt: skip


def _multipart(fields: dict[str, bytes | str]) -> tuple[bytes, str]:
    """A multipart/form-data body as Mailgun posts it."""
    boundary = uuid.uuid4().hex
    body = b""
    for name, value in fields.items():
        data = value if isinstance(value, bytes) else value.encode()
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _post_mime(client, raw: bytes, recipient: str, *, key: str = SIGNING_KEY, **extra):
    body, content_type = _multipart(
        _signed({"recipient": recipient, "sender": "casey@example.com", "body-mime": raw}, key)
    )
    return client.generic(
        "POST", MIME_URL, body, content_type=content_type, HTTP_HOST="localhost", **extra
    )


def _unrouted() -> list[UnroutedEmail]:
    with public_context():
        return list(UnroutedEmail.objects.all())


def _unrouted_raw(row: UnroutedEmail) -> bytes:
    with public_context(), row.raw.open("rb") as handle:
        return handle.read()


def test_a_signed_mail_reaches_email_receive_in_its_workspace_byte_for_byte(
    client, tenant_a, received
):
    raw = _raw(body="我的打印机着火了".encode("gbk"))  # 8-bit GBK: not valid UTF-8

    response = _post_mime(client, raw, "support@alpha.localhost")

    assert response.status_code == 200
    [call] = received
    assert call["schema"] == tenant_a.schema_name
    assert call["raw"] == raw
    assert call["source"] == "mailgun"
    assert call["envelope_sender"] == "casey@example.com"
    assert call["envelope_recipient"] == "support@alpha.localhost"
    assert _unrouted() == []


def test_mail_for_the_other_workspace_goes_to_its_schema_only(client, tenant_b, received):
    response = _post_mime(client, _raw(), "Support+t1001@Beta.Localhost")

    assert response.status_code == 200
    assert [call["schema"] for call in received] == [tenant_b.schema_name]


def test_the_configured_mailbox_name_is_the_address(client, tenant_a, received):
    from kefu.desk.models import WorkspaceSettings

    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update_or_create(defaults={"support_local_part": "help"})

    _post_mime(client, _raw(), "help@alpha.localhost")
    _post_mime(client, _raw(), "support@alpha.localhost")

    assert len(received) == 1
    [row] = _unrouted()
    assert "alpha has no mailbox 'support'" in row.reason


def test_a_forged_signature_is_refused_and_nothing_is_kept(client, tenant_a, received):
    response = _post_mime(client, _raw(), "support@alpha.localhost", key="not-the-key")

    assert response.status_code == 400
    assert received == []
    assert _unrouted() == []


def test_mail_for_an_unknown_workspace_is_kept_unrouted_and_answered_200(client, received):
    raw = _raw(to="support@nobody.localhost")

    response = _post_mime(client, raw, "support@nobody.localhost")

    assert response.status_code == 200  # Mailgun must not retry forever
    assert received == []
    [row] = _unrouted()
    assert row.source == "mailgun"
    assert row.recipient == "support@nobody.localhost"
    assert "no workspace receives mail at nobody.localhost" in row.reason
    assert _unrouted_raw(row) == raw


def test_mail_that_fails_to_be_stored_is_kept_unrouted(client, tenant_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(inbound, "email_receive", broken)
    raw = _raw()

    response = _post_mime(client, raw, "support@alpha.localhost")

    assert response.status_code == 200
    [row] = _unrouted()
    assert "could not be stored in alpha: RuntimeError: disk full" in row.reason
    assert _unrouted_raw(row) == raw


def test_a_message_larger_than_django_form_limits_arrives_whole(
    client, tenant_a, received, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    raw = _raw(body=(b"y" * 76 + b"\r\n") * 3000)

    response = _post_mime(client, raw, "support@alpha.localhost")

    assert response.status_code == 200
    assert received[0]["raw"] == raw


def test_a_message_over_the_inbound_limit_is_refused(client, tenant_a, received, settings):
    settings.KEFU_INBOUND_EMAIL_MAX_BYTES = 10_000

    response = _post_mime(client, _raw(body=b"z" * 20_000), "support@alpha.localhost")

    assert response.status_code == 413
    assert received == []


def test_mailgun_fully_parsed_posts_work_too(client, tenant_a, received):
    fields = _signed({
        "recipient": "support@alpha.localhost", "sender": "casey@example.com",
        "from": "Casey <casey@example.com>", "To": "support@alpha.localhost",
        "subject": "Printer", "body-plain": "It is on fire.",
        "message-headers": '[["Subject", "Printer"], ["From", "Casey <casey@example.com>"]]',
    })  # fmt: skip

    response = client.post(PARSED_URL, fields, HTTP_HOST="localhost")

    assert response.status_code == 200
    [call] = received
    assert call["schema"] == tenant_a.schema_name
    message = email.message_from_bytes(call["raw"], policy=email.policy.default)
    assert message["Subject"] == "Printer"
    assert message.get_body(("plain",)).get_content().strip() == "It is on fire."


def test_basic_auth_is_required_when_a_webhook_secret_is_set(client, tenant_a, received, settings):
    import base64

    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "kefu:s3cret"}
    good = "Basic " + base64.b64encode(b"kefu:s3cret").decode()

    refused = _post_mime(client, _raw(), "support@alpha.localhost")
    accepted = _post_mime(client, _raw(), "support@alpha.localhost", HTTP_AUTHORIZATION=good)

    assert (refused.status_code, accepted.status_code) == (400, 200)
    assert len(received) == 1


def test_the_webhook_does_not_exist_until_mailgun_is_configured(client, settings, received):
    settings.ANYMAIL = {}

    response = _post_mime(client, _raw(), "support@alpha.localhost")

    assert response.status_code == 404
    assert received == []


def test_the_webhook_lives_on_the_root_domain_only(client, tenant_a, received):
    body, content_type = _multipart(_signed({"recipient": "support@alpha.localhost",
                                             "body-mime": _raw()}))  # fmt: skip
    response = client.generic(
        "POST", MIME_URL, body, content_type=content_type, HTTP_HOST="alpha.localhost"
    )

    assert response.status_code == 404
    assert received == []


@pytest.mark.skipif(
    "raise NotImplementedError" in inspect.getsource(inbound.email_receive),
    reason="email_receive is still the placeholder of the inbound-mail work",
)
def test_the_real_email_receive_stores_the_webhook_mail_in_the_workspace(client, tenant_a):
    raw = _raw()

    response = _post_mime(client, raw, "support@alpha.localhost")

    assert response.status_code == 200
    assert _unrouted() == []
    with tenant_context(tenant_a):
        stored = InboundEmail.objects.get(source="mailgun")
        assert stored.envelope_recipient == "support@alpha.localhost"
        with stored.raw.open("rb") as handle:
            assert handle.read() == raw
