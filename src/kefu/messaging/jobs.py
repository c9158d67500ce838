"""Background jobs of the channels: processing inbound email, and the automatic reply (declared
next to its rules, registered with the worker here: a worker that has not processed a mail
since it started must still know the job, or a queued auto-reply would be dead-lettered)."""

from __future__ import annotations

from kefu.jobs import tenant_actor
from kefu.messaging.autoreply import send_auto_reply  # noqa: F401 - registered here
from kefu.messaging.models import InboundEmail


@tenant_actor(queue_name="mail", max_retries=3)
def inbound_process_job(inbound_id: int) -> None:
    """Process a stored email. Safe to run twice: only a message still "received" is processed,
    and processing never raises (a failure is a quarantined message, not a dramatiq retry)."""
    from kefu.messaging.inbound import email_process

    inbound = InboundEmail.objects.filter(pk=inbound_id).first()
    if inbound is None or inbound.status != InboundEmail.Status.RECEIVED:
        return
    email_process(inbound=inbound)
