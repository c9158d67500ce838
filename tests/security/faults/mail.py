"""Inbound mail as Mailgun posts it to ``/email/inbound/mailgun_mime/`` (signed)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid

SIGNING_KEY = "key-" + "7" * 32
INBOUND_PATH = "/email/inbound/mailgun_mime/"


def message_bytes(*, sender: str, to: str, subject: str) -> bytes:
    return (
        f"From: Robin <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "My parcel never arrived. 我的包裹没有到。\r\n"
    ).encode()


def signed_form(raw: bytes, *, recipient: str) -> tuple[bytes, str]:
    """The multipart body and its content type: the message, the recipient, and Mailgun's
    signature (HMAC-SHA256 of timestamp + token with the webhook signing key)."""
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    signature = hmac.new(SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    fields = {"recipient": recipient.encode(), "sender": b"robin@example.com", "body-mime": raw,
              "timestamp": timestamp.encode(), "token": token.encode(),
              "signature": signature.hexdigest().encode()}  # fmt: skip
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value
        + b"\r\n"
        for name, value in fields.items()
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def inbound_post(client, raw: bytes, *, recipient: str):
    """Through Django's test client, on the root domain."""
    body, content_type = signed_form(raw, recipient=recipient)
    return client.generic("POST", INBOUND_PATH, body, content_type=content_type,
                          HTTP_HOST="localhost")  # fmt: skip
