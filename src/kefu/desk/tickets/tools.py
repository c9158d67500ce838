"""Ticket actions beyond the reply: merge, split, publish to the knowledge base, presence."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.accounts.permissions import staff_json_view, staff_required
from kefu.core.parsing import id_or_none, parse_ids
from kefu.desk.tickets.presence import presence_others, presence_set
from kefu.tickets.access import access_ticket_staff
from kefu.tickets.errors import TicketError
from kefu.tickets.services.merging import ticket_merge, ticket_publish_to_kb, ticket_split


@staff_required
@require_POST
def ticket_merge_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    source = access_ticket_staff(request.user, ticket_id)
    target_id = id_or_none(request.POST.get("target", "").strip().lstrip("#").strip())
    try:
        target = access_ticket_staff(request.user, target_id) if target_id else None
    except Http404:
        target = None
    if target is None:
        messages.error(request, _("There is no ticket with that number."))
        return redirect("desk:ticket_detail", ticket_id=source.pk)
    try:
        ticket_merge(source=source, target=target, actor=request.user)
    except TicketError as error:
        messages.error(request, str(error))
        return redirect("desk:ticket_detail", ticket_id=source.pk)
    messages.success(
        request,
        _("Ticket #%(source)d was merged into this one.") % {"source": source.pk},
    )
    return redirect("desk:ticket_detail", ticket_id=target.pk)


@staff_required
@require_POST
def ticket_split_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_staff(request.user, ticket_id)
    message_ids = parse_ids(request.POST.getlist("message"), name="message")
    try:
        new = ticket_split(
            ticket=ticket,
            message_ids=message_ids,
            actor=request.user,
            subject=request.POST.get("subject", ""),
        )
    except TicketError as error:
        messages.error(request, str(error))
        return redirect("desk:ticket_detail", ticket_id=ticket.pk)
    messages.success(
        request,
        _("The chosen messages moved to this new ticket, split from #%(number)d.")
        % {"number": ticket.pk},
    )
    return redirect("desk:ticket_detail", ticket_id=new.pk)


@staff_required
@require_POST
def ticket_publish_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_staff(request.user, ticket_id)
    try:
        article = ticket_publish_to_kb(ticket=ticket, actor=request.user)
    except TicketError as error:
        messages.error(request, str(error))
        return redirect("desk:ticket_detail", ticket_id=ticket.pk)
    messages.success(
        request,
        _("A draft article was made from ticket #%(number)d. Review it and publish it.")
        % {"number": ticket.pk},
    )
    return redirect("desk:article_edit", article_id=article.pk)


@staff_json_view
@require_http_methods(["GET", "POST"])
def ticket_presence(request: HttpRequest, ticket_id: int) -> JsonResponse:
    """POST ``state`` (viewing, replying, or left) and/or GET who else is on the ticket."""
    ticket = access_ticket_staff(request.user, ticket_id)
    if request.method == "POST":
        presence_set(ticket_id=ticket.pk, user=request.user, state=request.POST.get("state", ""))
    return JsonResponse({"others": presence_others(ticket_id=ticket.pk, user=request.user)})
