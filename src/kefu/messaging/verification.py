"""Is the workspace's support address really connected? (tenant schema)

Typing an address proves nothing. The address counts as verified once a mail sent to it has
come in through Kefu's inbound path: the test message Kefu sends on request (it carries a
signed ``X-Kefu-Verification`` header and is not made a ticket), or any real mail whose
recipients name the address. Changing the address asks for a new proof (the verified
address is kept beside the time).
"""

from __future__ import annotations

import logging
from email.utils import formataddr

from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.messaging.outbound import from_header, support_address
from kefu.messaging.parsing import VERIFICATION_HEADER, ParsedEmail

logger = logging.getLogger(__name__)

PURPOSE = "support-address-test"
#: A test message that takes longer than this to come back no longer counts.
TEST_MAX_AGE_SECONDS = 7 * 24 * 3600


class TestMessageError(Exception):
    """The test message could not be sent; the message says why, fit to show."""


def support_email_test_send(*, workspace) -> str:
    """Send the test message to the workspace's support address through the outbound mail
    path; returns the address. Raises TestMessageError when there is none or sending fails."""
    from kefu.core.signing import workspace_dumps
    from kefu.desk.selectors import workspace_settings_get
    from kefu.tickets.notifications import mail_language

    settings_row = workspace_settings_get()
    address = settings_row.support_email
    if not address:
        raise TestMessageError(_("Enter your support address first."))
    token = workspace_dumps({"address": address.lower()}, purpose=PURPOSE)
    with translation.override(mail_language(settings_row.default_language)):
        subject = _("Kefu test message for %(name)s") % {"name": workspace.name}
        body = _(
            "This is a test message from Kefu to %(address)s.\n\n"
            "If your mail provider forwards this address to %(inbound)s, it arrives in Kefu "
            "within a minute or two and the support address is marked as verified on the Email "
            "settings page. It does not become a ticket.\n"
        ) % {"address": address, "inbound": support_address(workspace)}
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=from_header(workspace),
        to=[formataddr((workspace.name, address))],
        headers={VERIFICATION_HEADER: token, "Auto-Submitted": "auto-generated"},
    )
    try:
        message.send()
    except Exception as error:  # any backend (SMTP, a provider's API): say it, keep the page
        logger.warning("support address test mail failed in %s: %s", connection.schema_name, error)
        raise TestMessageError(
            _("The test message could not be sent (%(error)s). Check the outgoing mail settings.")
            % {"error": type(error).__name__}
        ) from error
    return address


def _mark_verified(address: str) -> None:
    from kefu.desk.models import WorkspaceSettings
    from kefu.desk.selectors import workspace_settings_get

    row = workspace_settings_get()
    if row.support_email_verified and row.support_email_verified_address == address.lower():
        return
    WorkspaceSettings.objects.filter(pk=row.pk).update(
        support_email_verified_address=address.lower(),
        support_email_verified_at=timezone.now(),
    )


def is_test_message(parsed: ParsedEmail) -> bool:
    """A test message Kefu sent from this workspace (for the current support address or an
    earlier one); it verifies the address it was sent to and becomes no ticket."""
    from kefu.core.signing import workspace_loads

    if not parsed.kefu_verification:
        return False
    value = workspace_loads(parsed.kefu_verification, purpose=PURPOSE, max_age=TEST_MAX_AGE_SECONDS)
    return isinstance(value, dict) and isinstance(value.get("address"), str)


def support_email_arrival(*, parsed: ParsedEmail, envelope_recipient: str = "") -> bool:
    """Note a mail that came in through the inbound path: when it is Kefu's test message, or
    its recipients name the support address, the address is verified. True when it did."""
    from kefu.core.signing import workspace_loads
    from kefu.desk.selectors import workspace_settings_get

    support = workspace_settings_get().support_email.lower()
    if not support:
        return False
    if is_test_message(parsed):
        value = workspace_loads(parsed.kefu_verification, purpose=PURPOSE)
        if value["address"] == support:
            _mark_verified(support)
            return True
        return False
    named = {
        address.lower()
        for address in (*parsed.recipients, *parsed.delivered_to, envelope_recipient)
    }
    if support in named:
        _mark_verified(support)
        return True
    return False
