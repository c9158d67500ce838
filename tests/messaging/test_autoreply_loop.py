"""An auto-reply loop between Kefu and a customer's auto-responder stops.

Kefu acknowledges every new email ticket. A vacation responder that answers every mail, and
(worst case) marks nothing as automatic and drops every threading hint, would open a new
ticket per answer and get a new acknowledgement each time, for ever. The per-sender limit ends
the exchange after ``MAX_PER_HOUR`` acknowledgements; every mail still becomes a ticket.
A responder that says what it is (``Auto-Submitted: auto-replied``) gets no answer at all.

``deliver`` below is the only stand-in: it plays inbound processing (store, parse the
automatic-mail headers, open a ticket, ask for the auto-reply) until the inbound-mail work is
merged. Swap its body for the real ``email_receive`` plus its processing job and the test
must still pass unchanged.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import uuid
from email.utils import parseaddr

import pytest

from kefu.contacts.services import contact_for_email
from kefu.messaging import autoreply
from kefu.messaging.models import AutoReplyLog, EmailThreadId, InboundEmail
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from kefu.tickets.services.creation import ticket_create
from tests.api.ticket_urls import ticket_links  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ticket_links")]

CUSTOMER = "casey@example.com"
#: Far more rounds than any limit: a loop that does not stop fails the test, not the machine.
MAX_ROUNDS = 50
_AUTOMATIC_HEADERS = ("Auto-Submitted", "X-Autoreply", "X-Autorespond", "List-Id")


@pytest.fixture
def deliver(tenant_a, monkeypatch):
    """STAND-IN for inbound processing (the inbound-mail work): raw mail in, as Kefu would
    handle a mail that matches no ticket. Jobs run at once (tests never commit)."""
    monkeypatch.setattr(autoreply, "enqueue_on_commit", lambda actor, *args: actor(*args))

    def deliver(raw: bytes) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        automatic = any(
            message.get(name, "").lower() not in ("", "no") for name in _AUTOMATIC_HEADERS
        ) or message.get("Precedence", "").lower() in ("bulk", "junk", "list", "auto_reply")
        sender = parseaddr(str(message["From"]))[1]
        with tenant_context(tenant_a):
            inbound = InboundEmail.objects.create(
                sha256=hashlib.sha256(raw).hexdigest(),
                message_id=message["Message-ID"].strip("<>"),
                from_address=sender,
                subject=str(message["Subject"]),
                is_automatic=automatic,
            )
            ticket = ticket_create(
                subject=str(message["Subject"]),
                description=message.get_body(("plain",)).get_content(),
                requester=contact_for_email(email=sender),
                channel=Ticket.Channel.EMAIL,
            )
            EmailThreadId.objects.create(
                message_id=inbound.message_id, ticket=ticket, direction="received"
            )
            InboundEmail.objects.filter(pk=inbound.pk).update(ticket=ticket, status="processed")
            autoreply.auto_reply_maybe(inbound=inbound, ticket=ticket)

    return deliver


def _mail(subject: str, body: str, *, to: str, headers: dict[str, str] | None = None) -> bytes:
    message = email.message.EmailMessage()
    message["From"] = f"Casey <{CUSTOMER}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def _vacation_responder(kefu_mail, *, honest: bool) -> bytes:
    """Casey's out-of-office answer to a mail from Kefu. Worst case (``honest=False``): no
    Auto-Submitted, a fresh subject, no In-Reply-To, sent to Kefu's From address."""
    headers = {"Auto-Submitted": "auto-replied"} if honest else {}
    return _mail("Out of office", "I am on holiday until Monday.",
                 to=kefu_mail.from_email, headers=headers)  # fmt: skip


def _exchange(deliver, mailoutbox, *, honest: bool) -> int:
    """Casey writes once; the responder answers each mail Kefu sends. Returns the rounds."""
    deliver(_mail("Printer is on fire", "Please help.", to="support@alpha.localhost"))
    answered = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        to_casey = [message for message in mailoutbox if message.to == [CUSTOMER]]
        if answered == len(to_casey):
            return rounds
        for kefu_mail in to_casey[answered:]:
            deliver(_vacation_responder(kefu_mail, honest=honest))
        answered = len(to_casey)
    pytest.fail("the mail loop did not stop")


def test_a_loop_with_a_responder_that_hides_what_it_is_stops_at_the_limit(
    tenant_a, deliver, mailoutbox
):
    _exchange(deliver, mailoutbox, honest=False)

    to_casey = [message for message in mailoutbox if message.to == [CUSTOMER]]
    assert len(to_casey) == autoreply.MAX_PER_HOUR
    assert all(message.extra_headers["Auto-Submitted"] == "auto-replied" for message in to_casey)
    with tenant_context(tenant_a):
        # Nothing is lost: the question and each out-of-office mail are tickets.
        assert Ticket.objects.filter(channel="email").count() == autoreply.MAX_PER_HOUR + 1
        assert AutoReplyLog.objects.filter(address=CUSTOMER).count() == autoreply.MAX_PER_HOUR


def test_a_responder_that_says_it_is_automatic_gets_no_answer(tenant_a, deliver, mailoutbox):
    rounds = _exchange(deliver, mailoutbox, honest=True)

    to_casey = [message for message in mailoutbox if message.to == [CUSTOMER]]
    assert len(to_casey) == 1  # the acknowledgement of Casey's own question, nothing after
    assert rounds == 2
    with tenant_context(tenant_a):
        assert Ticket.objects.filter(channel="email").count() == 2
        assert InboundEmail.objects.filter(is_automatic=True).count() == 1
