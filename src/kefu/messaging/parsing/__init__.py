"""Parsing inbound mail that survives real mail: ``parse_email(raw) -> ParsedEmail``.

The stdlib parser with ``policy.default`` is tried first (it understands modern mail and gives
decoded headers); when it chokes on a broken message the same bytes are read with ``compat32``,
which accepts almost anything. Bodies and header values are decoded by Kefu's own charset
guessing (``charsets``) because declarations are often missing or wrong in real Chinese mail.
``parse_email`` never raises: what it cannot read is listed in ``problems``.
"""

from __future__ import annotations

import email
import hashlib
import logging
import mimetypes
import re
from email import policy
from email.message import Message
from pathlib import PurePath

from django.utils.translation import gettext as _

from kefu.messaging.parsing.charsets import decode_bytes, decode_header_text
from kefu.messaging.parsing.htmltext import html_split, sanitize_html
from kefu.messaging.parsing.message import (
    VERIFICATION_HEADER,
    ParsedAttachment,
    ParsedEmail,
    addresses,
    automatic_reason,
    message_ids,
    parse_date,
    raw_header,
)
from kefu.messaging.parsing.quotes import split_quoted

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 25 * 1024 * 1024
MAX_DEPTH = 10
MAX_PARTS = 200

__all__ = [
    "ParsedAttachment",
    "ParsedEmail",
    "content_digest_quick",
    "message_id_quick",
    "parse_email",
]

#: Headers that say what a message is; relays add others (Received, DKIM...) on the way.
_CONTENT_HEADERS = (b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"content-type")


def _read(raw: bytes) -> Message:
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
        message.get_content_type()
        list(message.walk())  # the default policy parses lazily; fail here, not later
        return message
    except Exception:
        return email.message_from_bytes(raw, policy=policy.compat32)


def message_id_quick(raw: bytes) -> str:
    """The Message-ID from the header block alone, without parsing the message."""
    head = _split_head(raw[:65536])[0]
    match = re.search(rb"(?im)^message-id[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)", head)
    if not match:
        return ""
    ids = message_ids(match.group(1).decode("ascii", "replace"))
    return ids[0] if ids else ""


def _split_head(raw: bytes) -> tuple[bytes, bytes]:
    """(header block, body) at the first empty line, whichever line ending the mail uses."""
    ends = [(raw.find(sep), sep) for sep in (b"\r\n\r\n", b"\n\n") if raw.find(sep) >= 0]
    if not ends:
        return raw, b""
    at, separator = min(ends)
    return raw[:at], raw[at + len(separator) :]


def content_digest_quick(raw: bytes) -> str:
    """A fingerprint of what the message says (its identifying headers and its body), the same
    for a redelivery whose relays added or changed trace headers, different for another
    message that reuses a Message-ID."""
    head, body = _split_head(raw)
    unfolded = re.sub(rb"\r?\n[ \t]+", b" ", head.replace(b"\r\n", b"\n"))
    kept = []
    for line in unfolded.split(b"\n"):
        name, colon, value = line.partition(b":")
        if colon and name.strip().lower() in _CONTENT_HEADERS:
            kept.append(name.strip().lower() + b":" + b" ".join(value.split()))
    digest = hashlib.sha256(b"\n".join(sorted(kept)))
    digest.update(b"\n\n" + body.replace(b"\r\n", b"\n").rstrip())
    return digest.hexdigest()


class _Walker:
    def __init__(self, parsed: ParsedEmail) -> None:
        self.parsed = parsed
        self.plain: list[str] = []
        self.html: list[str] = []
        self.forwarded: list[str] = []
        self.total = 0
        self.parts = 0

    def walk(self, part: Message, depth: int = 0) -> None:
        self.parts += 1
        if depth > MAX_DEPTH or self.parts > MAX_PARTS:
            if self.parts == MAX_PARTS + 1 or depth == MAX_DEPTH + 1:
                self.parsed.problems.append(
                    _("The message is nested too deeply; the rest of it is only in the original.")
                )
            return
        content_type = part.get_content_type()
        if content_type == "message/rfc822" or (
            content_type.startswith("message/") and part.is_multipart()
        ):
            self._nested(part, depth)
        elif part.is_multipart():
            payload = part.get_payload()
            for child in payload if isinstance(payload, list) else []:
                if isinstance(child, Message):
                    self.walk(child, depth + 1)
        elif self._is_body_text(part, content_type):
            text = self._decoded_text(part)
            (self.html if content_type == "text/html" else self.plain).append(text)
        else:
            self._attachment(part, content_type)

    @staticmethod
    def _is_body_text(part: Message, content_type: str) -> bool:
        if content_type not in ("text/plain", "text/html"):
            return False
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        return disposition != "attachment" and not _filename(part)

    def _decoded_text(self, part: Message) -> str:
        data = _payload_bytes(part)
        try:
            declared = part.get_content_charset()
        except Exception:
            declared = None
        return decode_bytes(data, declared)[0].replace("\x00", "")

    def _nested(self, part: Message, depth: int) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            self._attachment(part, "message/rfc822")
            return
        try:
            content = inner.as_bytes(policy=policy.compat32)
        except Exception:
            content = _payload_bytes(part)
        subject = decode_header_text(raw_header(inner, "Subject")) or _("forwarded message")
        self._keep(ParsedAttachment(_safe_name(f"{subject[:80]}.eml", "message/rfc822", 0),
                                    "message/rfc822", content))  # fmt: skip
        nested = _Walker(ParsedEmail())
        nested.walk(inner, depth + 1)
        text = nested.body_text()
        if text:
            sender = decode_header_text(raw_header(inner, "From"))
            heading = f"---------- {_('Forwarded message')} ----------"
            self.forwarded.append(
                f"{heading}\n{_('From')}: {sender}\n{_('Subject')}: {subject}\n\n{text}"
            )

    def _attachment(self, part: Message, content_type: str) -> None:
        content = _payload_bytes(part)
        content_id = (part.get("Content-ID") or "").strip().strip("<>")[:200]
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        name = _safe_name(_filename(part), content_type, len(self.parsed.attachments) + 1)
        inline = disposition == "inline" or (bool(content_id) and disposition != "attachment")
        self._keep(ParsedAttachment(name, content_type[:100], content, content_id, inline))

    def _keep(self, attachment: ParsedAttachment) -> None:
        from kefu.tickets.services.fields import BLOCKED_EXTENSIONS

        name = attachment.filename
        if PurePath(name).suffix.lower() in BLOCKED_EXTENSIONS:
            self.parsed.problems.append(
                _(
                    "%(name)s: this type of file is not accepted; "
                    "it is only in the original message."
                )
                % {"name": name}
            )
        elif attachment.size > MAX_FILE_BYTES:
            self.parsed.problems.append(
                _("%(name)s: larger than %(size)d MB; it is only in the original message.")
                % {"name": name, "size": MAX_FILE_BYTES // 2**20}
            )
        elif self.total + attachment.size > MAX_TOTAL_BYTES:
            self.parsed.problems.append(
                _(
                    "%(name)s: the attachments are larger than %(size)d MB together; "
                    "it is only in the original message."
                )
                % {"name": name, "size": MAX_TOTAL_BYTES // 2**20}
            )
        else:
            self.total += attachment.size
            self.parsed.attachments.append(attachment)

    def body_text(self) -> str:
        if any(text.strip() for text in self.plain):
            return "\n\n".join(text.strip("\n") for text in self.plain if text.strip())
        parts = [html_split(markup) for markup in self.html]
        return "\n\n".join(p.text + ("\n\n" + p.quoted_text if p.quoted_text else "")
                           for p in parts).strip()  # fmt: skip

    def finish(self) -> None:
        parsed = self.parsed
        html_parts = [html_split(markup) for markup in self.html if markup.strip()]
        parsed.html = sanitize_html("".join(part.html for part in html_parts)) if html_parts else ""
        if any(text.strip() for text in self.plain):
            full = "\n\n".join(text.strip("\n") for text in self.plain if text.strip())
            parsed.text, parsed.quoted_text = split_quoted(full)
        elif html_parts:
            new_text = "\n\n".join(part.text for part in html_parts if part.text)
            quoted = "\n\n".join(part.quoted_text for part in html_parts if part.quoted_text)
            new_text, more_quoted = split_quoted(new_text)  # Outlook's "From: / Sent:" blocks
            parsed.text = new_text
            parsed.quoted_text = "\n\n".join(item for item in (more_quoted, quoted) if item)
        if self.forwarded:
            forwarded = "\n\n".join(self.forwarded)
            if parsed.text:
                parsed.quoted_text = "\n\n".join(x for x in (parsed.quoted_text, forwarded) if x)
            else:
                parsed.text = forwarded


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _filename(part: Message) -> str:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        try:
            value = part.get_param(param, header=header)
        except Exception:  # noqa: S112 - an unreadable parameter is no file name
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text)
            charset, _language, text = value
            data = bytes(str(text), "raw-unicode-escape")
            return decode_bytes(data, charset)[0]
        if value:
            return decode_header_text(str(value))
    return ""


def _safe_name(name: str, content_type: str, number: int) -> str:
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", PurePath((name or "").replace("\\", "/")).name)
    name = name.strip(" .")[:200]
    if not name:
        extension = mimetypes.guess_extension(content_type or "") or ".bin"
        name = f"attachment-{number}{extension}"
    return name


def _headers(parsed: ParsedEmail, message: Message) -> None:
    parsed.subject = decode_header_text(raw_header(message, "Subject"))[:998]
    sender = addresses(message, "From") or addresses(message, "Sender")
    if sender:
        parsed.from_name, parsed.from_address = sender[0]
    parsed.reply_to = addresses(message, "Reply-To")
    parsed.to = addresses(message, "To")
    parsed.cc = addresses(message, "Cc")
    parsed.date = parse_date(raw_header(message, "Date"))
    ids = message_ids(raw_header(message, "Message-ID"))
    parsed.message_id = ids[0] if ids else ""
    parsed.in_reply_to = message_ids(raw_header(message, "In-Reply-To"))
    parsed.references = message_ids(raw_header(message, "References"))[-50:]
    parsed.automatic_reason = automatic_reason(message)
    parsed.is_automatic = bool(parsed.automatic_reason)
    # Where a forwarder says it delivered the mail (the To header may name someone else).
    parsed.delivered_to = [
        address
        for name in ("Delivered-To", "X-Original-To", "X-Forwarded-To", "X-Forwarded-For")
        for _name, address in addresses(message, name)
    ]
    parsed.kefu_verification = (raw_header(message, VERIFICATION_HEADER) or "").strip()[:500]


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _clean_text_fields(parsed: ParsedEmail) -> None:
    """PostgreSQL text holds no NUL and no lone surrogates."""
    for name in ("subject", "from_name", "text", "quoted_text", "html", "message_id"):
        setattr(parsed, name, _UNSTORABLE.sub("\ufffd", getattr(parsed, name)))
    for attachment in parsed.attachments:
        attachment.filename = _UNSTORABLE.sub("_", attachment.filename)


def parse_email(raw: bytes) -> ParsedEmail:
    """Read an email; never raises (what could not be read is in ``problems``)."""
    parsed = ParsedEmail()
    try:
        message = _read(bytes(raw or b""))
        _headers(parsed, message)
        walker = _Walker(parsed)
        walker.walk(message)
        walker.finish()
        _clean_text_fields(parsed)
        if message.defects:
            parsed.problems.append(
                _("The message is damaged (%(defects)s); some of it may be missing.")
                % {"defects": ", ".join(sorted({type(d).__name__ for d in message.defects}))[:200]}
            )
    except Exception as error:
        logger.warning("email parse failed: %s", error, exc_info=True)
        parsed.headers_readable = False
        parsed.problems.append(
            _("The message could not be read (%(error)s).") % {"error": type(error).__name__}
        )
    return parsed
