"""Inbound mail from an email provider's webhook (root domain), routed to its workspace.

django-anymail's own webhook view verifies the request (Mailgun: the HMAC-SHA256 signature of
timestamp + token with ``MAILGUN_WEBHOOK_SIGNING_KEY``; plus HTTP basic auth when
``ANYMAIL_WEBHOOK_SECRET`` is set) and sends ``anymail.signals.inbound``; the receiver here
takes the raw message and its envelope recipient, finds the workspace and calls
``email_receive`` inside that workspace's schema.

Routing: the recipient must be ``<local part>[+token]@<slug>.<root domain>`` (or a custom
domain of the workspace) where ``<local part>`` is the workspace's configured support address
name. Anything else (unknown workspace, another mailbox name, a payload without a message, a
failure while storing) is kept in the public ``UnroutedEmail`` list with the reason, and the
provider still gets 200: retrying would not help, and the mail is not lost.

Mailgun: create a route whose action forwards to ``https://<root>/email/inbound/mailgun_mime/``
(the ``mime`` variant posts the untouched message as ``body-mime``; it is read here byte for
byte, so legacy charsets in 8-bit bodies survive, and up to ``KEFU_INBOUND_EMAIL_MAX_BYTES``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any

from anymail.exceptions import AnymailConfigurationError
from anymail.inbound import AnymailInboundMessage
from anymail.signals import inbound as anymail_inbound
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt

from kefu.core.parsing import BIGINT_MAX, integer_or_none
from kefu.tenancy import public_context, tenant_context
from tenants.models import Domain, Tenant, UnroutedEmail

logger = logging.getLogger(__name__)

_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


# --- routing ------------------------------------------------------------------------------


def workspace_for_domain(domain: str) -> Tenant | None:
    """The workspace that receives mail at ``domain`` (``<slug>.<root>`` or its own domain)."""
    domain = domain.strip().lower().rstrip(".")
    root = settings.ROOT_DOMAIN.lower()
    if domain.endswith(f".{root}"):
        slug = domain[: -len(root) - 1]
        if slug and "." not in slug:
            return Tenant.objects.filter(slug=slug).exclude(schema_name="public").first()
        return None
    found = Domain.objects.select_related("tenant").filter(domain=domain).first()
    if found is None or found.tenant.schema_name == "public":
        return None
    return found.tenant


def _split(address: str) -> tuple[str, str, str]:
    """``Support+t1001@Acme.Kefu.Example`` -> (``support``, ``t1001``, ``acme.kefu.example``)."""
    local, _at, domain = address.strip().strip("<>").rpartition("@")
    base, _plus, token = local.partition("+")
    return base.lower(), token, domain.lower()


def _mailbox_matches(local: str) -> bool:
    """Inside the workspace: whether ``local`` is its support address name."""
    from kefu.messaging.outbound import support_local_part

    return local == support_local_part().lower()


def inbound_deliver(
    *, raw: bytes, source: str, envelope_sender: str = "", recipients: Iterable[str] = ()
) -> str:
    """Hand ``raw`` to the workspace its first routable recipient names, inside that schema;
    otherwise keep it as unrouted mail. Returns the schema it went to ("" when unrouted)."""
    tried: list[str] = []
    reason = "no recipient address"
    for address in recipients:
        if "@" not in address:
            continue
        tried.append(address)
        local, _token, domain = _split(address)
        with public_context():
            workspace = workspace_for_domain(domain)
        if workspace is None:
            reason = f"no workspace receives mail at {domain}"
            continue
        with tenant_context(workspace):
            if not _mailbox_matches(local):
                reason = f"{workspace.slug} has no mailbox {local!r}"
                continue
            error = _receive_in_schema(
                raw=raw, source=source, envelope_sender=envelope_sender, recipient=address
            )
        if error:
            reason = f"could not be stored in {workspace.slug}: {error}"
            break
        return workspace.schema_name
    unrouted_keep(raw=raw, source=source, recipient=", ".join(tried)[:320], reason=reason)
    return ""


def _receive_in_schema(*, raw: bytes, source: str, envelope_sender: str, recipient: str) -> str:
    """Call email_receive (a savepoint, so a failure leaves the connection usable); the
    error's description, or "" on success. The database being unreachable is not the mail's
    fault: that error goes up (a 503), and the provider delivers the mail again later."""
    from kefu.core.unavailable import DATABASE_UNAVAILABLE
    from kefu.messaging import inbound

    try:
        with transaction.atomic():
            inbound.email_receive(
                raw=raw,
                source=source,
                envelope_sender=envelope_sender,
                envelope_recipient=recipient,
            )
    except DATABASE_UNAVAILABLE:
        raise
    except Exception as error:  # whatever else failed, the mail is kept
        logger.exception("inbound mail for %s could not be stored", recipient)
        return f"{error.__class__.__name__}: {error}"[:500]
    return ""


def unrouted_keep(*, raw: bytes, source: str, recipient: str, reason: str) -> UnroutedEmail:
    """Keep mail no workspace took (public schema), raw, with the reason."""
    with public_context():
        logger.warning("unrouted inbound mail to %r: %s", recipient, reason)
        return UnroutedEmail.objects.create(
            raw=ContentFile(raw, name="message.eml"),
            source=source[:30],
            recipient=recipient,
            reason=reason,
        )


# --- the anymail signal -------------------------------------------------------------------


def _recipients(message: AnymailInboundMessage) -> list[str]:
    """The envelope recipients (may be a comma-separated list), else the addresses in the
    delivery headers."""
    envelope = message.envelope_recipient or ""
    found = [address for _name, address in getaddresses([envelope]) if address]
    if found:
        return found
    headers = [str(value) for name in _RECIPIENT_HEADERS for value in message.get_all(name, [])]
    return [address for _name, address in getaddresses(headers) if address]


def _message_bytes(message: AnymailInboundMessage, esp_event: Any) -> bytes:
    """The message as received: the untouched bytes when the view kept them, else anymail's
    message serialised again."""
    raw = getattr(esp_event, "kefu_raw_mime", None)
    if raw:
        return raw
    try:
        return message.as_bytes()
    except Exception:  # parsed, but cannot be written back
        return message.as_string().encode("utf-8", "surrogateescape")


@receiver(anymail_inbound, dispatch_uid="kefu.messaging.webhooks.inbound_received")
def inbound_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail verified and parsed an inbound webhook: deliver its message."""
    source = esp_name.lower().replace(" ", "_")
    message = event.message
    if message is None:
        unrouted_keep(raw=b"", source=source, recipient="", reason="webhook without a message")
        return
    inbound_deliver(
        raw=_message_bytes(message, event.esp_event),
        source=source,
        envelope_sender=message.envelope_sender or "",
        recipients=_recipients(message),
    )


# --- the Mailgun view ---------------------------------------------------------------------


class RequestTooLargeError(Exception):
    pass


def _form_from_multipart(request: HttpRequest) -> tuple[QueryDict, dict[str, bytes]]:
    """Parse a multipart/form-data body with the standard library: the fields as a QueryDict
    (text) and as the exact bytes posted. Django's parser would decode the message to text
    (losing 8-bit legacy charsets) and refuse fields over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    limit = settings.KEFU_INBOUND_EMAIL_MAX_BYTES
    declared = integer_or_none(request.META.get("CONTENT_LENGTH"), minimum=0, maximum=BIGINT_MAX)
    if (declared or 0) > limit:  # a malformed length reads as 0, as Django reads it
        raise RequestTooLargeError
    body = request.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLargeError
    head = f"Content-Type: {request.META.get('CONTENT_TYPE', '')}\r\n\r\n".encode("latin-1")
    form = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    fields = QueryDict(mutable=True)
    raw_fields: dict[str, bytes] = {}
    for part in form.iter_parts() if form.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        raw_fields.setdefault(str(name), data)
        fields.appendlist(str(name), data.decode("utf-8", "replace"))
    return fields, raw_fields


def _mailgun_configured() -> bool:
    key = getattr(settings, "ANYMAIL", {}).get("MAILGUN_WEBHOOK_SIGNING_KEY") or getattr(
        settings, "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY", ""
    )
    return bool(key)


@csrf_exempt
def mailgun_inbound(request: HttpRequest, mime: str | None = None) -> HttpResponse:
    """Mailgun's inbound route (forward) through anymail's view and signature check. Not
    configured (no signing key): 404. The ``_mime`` URL's raw message is read here first."""
    if not _mailgun_configured():
        raise Http404
    if mime and request.method == "POST" and request.content_type == "multipart/form-data":
        try:
            fields, raw_fields = _form_from_multipart(request)
        except RequestTooLargeError:
            return HttpResponse("message too large", status=413)
        request.POST = fields  # type: ignore[misc] - WSGIRequest has a POST setter
        request._files = MultiValueDict()  # the body is consumed: no files
        request.kefu_raw_mime = raw_fields.get("body-mime")  # type: ignore[attr-defined]
    try:
        return MailgunInboundWebhookView.as_view()(request)
    except AnymailConfigurationError as error:  # a tracking webhook pointed here, and so on
        logger.warning("Mailgun inbound webhook misconfigured: %s", error)
        return HttpResponse(str(error), status=400)
