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
import uuid

import pytest

from kefu.messaging import autoreply
from kefu.messaging.models import AutoReplyLog, InboundEmail
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from tests.api.ticket_urls import ticket_links  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ticket_links")]

CUSTOMER = "casey@example.com"
#: Far more rounds than any limit: a loop that does not stop fails the test, not the machine.
MAX_ROUNDS = 50
_AUTOMATIC_HEADERS = ("Auto-Submitted", "X-Autoreply", "X-Autorespond", "List-Id")


@pytest.fixture
def deliver(tenant_a, monkeypatch):
    """Raw mail in through the real inbound path: stored, parsed, threaded or opened as a
    ticket, auto-reply decided. Jobs run at once (tests never commit)."""
    from kefu.messaging.inbound import email_process, email_receive

    monkeypatch.setattr(autoreply, "enqueue_on_commit", lambda actor, *args: actor(*args))

    def deliver(raw: bytes) -> None:
        with tenant_context(tenant_a):
            inbound = email_receive(raw=raw, source="test")
            email_process(inbound=inbound)

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
