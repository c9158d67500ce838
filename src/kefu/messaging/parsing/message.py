"""What an email says: its parsed form (``ParsedEmail``) and the header part of parsing."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from kefu.messaging.parsing.charsets import decode_header_text, unfold

MAX_MESSAGE_ID = 900
_ANGLE_ID = re.compile(r"<([^<>\s]{1,998})>")


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.content)


#: The header of the test message Kefu sends to a workspace's support address.
VERIFICATION_HEADER = "X-Kefu-Verification"


@dataclass
class ParsedEmail:
    """An email as Kefu uses it. ``text`` is the new content (quotes and signature stripped),
    ``quoted_text`` the rest; ``html`` is sanitised. ``problems`` say what could not be read or
    was kept back (blocked or oversized attachments); the raw message always has everything."""

    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    reply_to: list[tuple[str, str]] = field(default_factory=list)
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    date: datetime.datetime | None = None
    text: str = ""
    quoted_text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    is_automatic: bool = False
    automatic_reason: str = ""
    headers_readable: bool = True
    #: Addresses from Delivered-To / X-Original-To / X-Forwarded-To headers.
    delivered_to: list[str] = field(default_factory=list)
    #: The token of Kefu's own test message of a support address (``X-Kefu-Verification``).
    kefu_verification: str = ""

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, nearest first (In-Reply-To, then References newest)."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))

    @property
    def recipients(self) -> list[str]:
        return [address for _name, address in (*self.to, *self.cc)]


def raw_header(message: Message, name: str) -> str | None:
    """The header exactly as received (first one), folded lines joined; None when missing."""
    lowered = name.lower()
    try:
        for key, value in message.raw_items():
            if str(key).lower() == lowered:
                return unfold(str(value))
    except Exception:
        return None
    return None


def message_ids(value: str | None) -> list[str]:
    """Message-IDs in a header, without angle brackets (a bare id without brackets too)."""
    if not value:
        return []
    found = _ANGLE_ID.findall(value)
    if not found and (bare := value.strip().split()) and "@" in bare[0]:
        found = [bare[0].strip("<>")]
    return [item[:MAX_MESSAGE_ID] for item in found if item]


def usable_address(address: str) -> str:
    address = (address or "").strip().strip("<>").strip()
    if len(address) > 254 or address.count("@") != 1:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address.lower()


def addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header; unusable addresses left out."""
    raw = raw_header(message, name)
    if not raw:
        return []
    # Decode the display names after splitting: decoded names may hold commas and quotes.
    try:
        pairs = getaddresses([raw])
    except Exception:
        pairs = []
    if not any(address for _name, address in pairs):
        pairs = [("", found) for found in re.findall(r"[^\s<>,;:\"']+@[^\s<>,;:\"']+", raw)]
    result = []
    for display, raw_address in pairs:
        if usable := usable_address(decode_header_text(raw_address)):
            result.append((decode_header_text(display).strip("\"' "), usable))
    return result


def parse_date(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})


def automatic_reason(message: Message) -> str:  # noqa: PLR0911 - one reason per check
    """Why this mail is automatic (auto-reply, bounce, list, null sender), or ""."""
    auto_submitted = (raw_header(message, "Auto-Submitted") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted[:50]}"
    precedence = (raw_header(message, "Precedence") or "").strip().lower()
    if precedence in _PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "List-Id", "X-Autogenerated"):
        if raw_header(message, name) is not None:
            return name
    return_path = raw_header(message, "Return-Path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        return "Return-Path: <>"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    sender = (raw_header(message, "From") or "").lower()
    if re.search(r"\b(mailer-daemon|postmaster)@", sender):
        return "bounce"
    return ""
