"""Merging duplicate tickets, splitting one in two, and publishing an answer to the knowledge
base."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.tickets.errors import TicketError
from kefu.tickets.models import Ticket, TicketAttachment, TicketEvent, TicketMessage
from kefu.tickets.services.changes import ticket_status_set


@transaction.atomic
def ticket_merge(*, source: Ticket, target: Ticket, actor: User) -> Ticket:
    """Fold a duplicate into ``target``: its messages move over, it is closed and points there."""
    if not actor.is_desk_user:
        raise TicketError(_("Only staff can merge tickets."))
    if source.pk == target.pk:
        raise TicketError(_("A ticket cannot be merged into itself."))
    if target.merged_into_id:
        raise TicketError(_("That ticket was itself merged; merge into #%(number)d.") % {
            "number": target.merged_into_id
        })  # fmt: skip
    moved = TicketMessage.objects.filter(ticket=source).update(ticket=target)
    TicketAttachment.objects.filter(ticket=source).update(ticket=target)
    target.followers.add(*source.followers.all())
    if source.requester and source.requester.user_id and source.requester_id != target.requester_id:
        target.followers.add(source.requester.user)
    TicketMessage.objects.create(
        ticket=target,
        kind=TicketMessage.Kind.INTERNAL,
        author=actor,
        body=_("Ticket #%(source)d (%(subject)s) was merged into this one.")
        % {"source": source.pk, "subject": source.subject},
    )
    TicketEvent.objects.create(
        ticket=target, actor=actor, kind=TicketEvent.Kind.MERGED,
        data={"from": source.pk, "messages": moved},
    )  # fmt: skip
    TicketEvent.objects.create(
        ticket=source, actor=actor, kind=TicketEvent.Kind.MERGED, data={"into": target.pk}
    )
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    ticket_status_set(ticket=source, status=Ticket.Status.CLOSED, actor=actor)
    return target


@transaction.atomic
def ticket_split(
    *, ticket: Ticket, message_ids: Sequence[int], actor: User, subject: str = ""
) -> Ticket:
    """Move the chosen messages into a new ticket of the same requester (it is routed anew)."""
    from kefu.tickets.routing import ticket_route
    from kefu.tickets.sla import sla_apply

    if not actor.is_desk_user:
        raise TicketError(_("Only staff can split tickets."))
    messages = list(TicketMessage.objects.filter(ticket=ticket, pk__in=message_ids))
    if not messages:
        raise TicketError(_("Choose the messages to move to the new ticket."))
    if len(messages) == ticket.messages.count():
        raise TicketError(_("Leave at least one message on this ticket."))
    first = messages[0]
    new = Ticket(
        subject=(subject or "").strip()[:300] or first.body.strip().splitlines()[0][:300],
        description=first.body,
        category=ticket.category,
        requester=ticket.requester,
        skill_group=ticket.skill_group,
        channel=ticket.channel,
        language=ticket.language,
        priority=ticket.priority,
        split_from=ticket,
    )
    sla_apply(ticket=new)
    new.save()
    TicketMessage.objects.filter(pk__in=[m.pk for m in messages]).update(ticket=new)
    TicketAttachment.objects.filter(message__in=messages).update(ticket=new)
    TicketEvent.objects.create(
        ticket=new, actor=actor, kind=TicketEvent.Kind.SPLIT, data={"from": ticket.pk}
    )
    TicketEvent.objects.create(
        ticket=ticket, actor=actor, kind=TicketEvent.Kind.SPLIT,
        data={"into": new.pk, "messages": len(messages)},
    )  # fmt: skip
    ticket_route(ticket_id=new.pk)
    new.refresh_from_db()
    return new


def _agent_answer(ticket: Ticket) -> TicketMessage | None:
    replies = ticket.messages.filter(kind=TicketMessage.Kind.PUBLIC).select_related("author")
    staff_replies = [m for m in replies if m.from_staff]
    return staff_replies[-1] if staff_replies else None


@transaction.atomic
def ticket_publish_to_kb(*, ticket: Ticket, actor: User):
    """A draft article from a resolved ticket: the question and the agent's answer."""
    from kefu.kb.services import article_save

    if not actor.is_desk_user:
        raise TicketError(_("Only staff can publish to the knowledge base."))
    if ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise TicketError(_("Resolve the ticket before publishing its answer."))
    answer = _agent_answer(ticket)
    if answer is None:
        raise TicketError(_("There is no agent reply to publish yet."))
    question = ticket.description.strip() or ticket.subject
    body = f"{question}\n\n---\n\n{answer.body.strip()}"
    article = article_save(
        title=ticket.subject,
        body=body,
        language=ticket.language or "en",
        author=actor,
        tags=list(ticket.tags),
    )
    article.source_ticket = ticket
    article.save(update_fields=["source_ticket"])
    TicketEvent.objects.create(
        ticket=ticket, actor=actor, kind=TicketEvent.Kind.PUBLISHED, data={"article": article.pk}
    )
    return article
