"""The ticket page: thread, reply or internal note, properties, customer panel, history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import User
from kefu.accounts.permissions import ADMIN_ROLES, staff_required
from kefu.desk.selectors import workspace_settings_get
from kefu.desk.tickets.canned import canned_render, canned_response_used
from kefu.desk.tickets.forms import PropertiesForm, ReplyForm
from kefu.desk.tickets.history import history_lines
from kefu.tickets.access import access_ticket_staff
from kefu.tickets.desk_selectors import ticket_history, ticket_thread
from kefu.tickets.errors import TicketError
from kefu.tickets.models import CannedResponse, Ticket, TicketAttachment
from kefu.tickets.services.changes import ticket_assign, ticket_follow, ticket_update
from kefu.tickets.services.fields import fields_for_category
from kefu.tickets.services.thread import ticket_reply
from kefu.tickets.timeline import customer_timeline


def _is_admin(user: User) -> bool:
    return user.role in ADMIN_ROLES


def _trail(ticket: Ticket) -> list[dict[str, Any]]:
    """The self-service trail as shown: kind, text, article id, and a datetime."""
    items = ticket.self_service_trail if isinstance(ticket.self_service_trail, list) else []
    shown = []
    for item in items:
        if not isinstance(item, dict) or item.get("kind") not in ("search", "article"):
            continue
        at = item.get("at")
        shown.append(
            {
                "kind": item["kind"],
                "text": str(item.get("query") or item.get("title") or ""),
                "article_id": item.get("id") if isinstance(item.get("id"), int) else None,
                "at": parse_datetime(at) if isinstance(at, str) else None,
            }
        )
    return shown


def _field_values(ticket: Ticket) -> list[tuple[str, str]]:
    values = ticket.fields if isinstance(ticket.fields, dict) else {}
    shown = []
    for field in fields_for_category(ticket.category):
        if field.key in values:
            value = values[field.key]
            shown.append((field.label, ", ".join(value) if isinstance(value, list) else value))
    return shown


def _canned(ticket: Ticket, agent: User) -> list[dict[str, Any]]:
    return [
        {"id": canned.pk, "title": canned.title,
         "text": canned_render(canned.body, ticket=ticket, agent=agent)}
        for canned in CannedResponse.objects.all()
    ]  # fmt: skip


def _context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    user = request.user
    is_admin = _is_admin(user)
    may_pick = workspace_settings_get().agents_pick_from_queue
    thread = list(ticket_thread(ticket))
    return {
        "ticket": ticket,
        "thread": thread,
        "field_attachments": ticket.attachments.filter(message=None),
        "field_values": _field_values(ticket),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "properties_form": forms.get("properties_form")
        or PropertiesForm(ticket=ticket, can_assign=is_admin),
        "is_admin": is_admin,
        "may_take": not is_admin and may_pick and ticket.assignee_id is None,
        "may_release": not is_admin and ticket.assignee_id == user.pk,
        "following": ticket.followers.filter(pk=user.pk).exists(),
        "can_publish": ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED),
        "timeline": customer_timeline(ticket),
        "trail": _trail(ticket),
        "history": history_lines(ticket, ticket_history(ticket)),
        "canned": _canned(ticket, user),
        "now": timezone.now(),
    }


@staff_required
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_staff(request.user, ticket_id)
    return render(request, "desk/tickets/detail.html", _context(request, ticket))


@staff_required
@require_POST
def ticket_reply_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_staff(request.user, ticket_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        internal = data["kind"] == "internal"
        try:
            ticket_reply(
                ticket=ticket,
                author=request.user,
                body=data["body"],
                internal=internal,
                attachments=request.FILES.getlist("attachments"),
                new_status=data["new_status"] or None,
            )
        except TicketError as error:
            form.add_error("body", str(error))
        else:
            if data["canned_id"]:
                canned_response_used(canned_id=data["canned_id"])
            messages.success(request, _("Note added.") if internal else _("Reply sent."))
            return redirect("desk:ticket_detail", ticket_id=ticket.pk)
    context = _context(request, ticket, reply_form=form)
    return render(request, "desk/tickets/detail.html", context, status=400)


def _take_or_release(request: HttpRequest, ticket: Ticket) -> None:
    assignee = request.user if request.POST.get("take") else None
    try:
        ticket_assign(ticket=ticket, assignee=assignee, actor=request.user)
    except TicketError as error:
        messages.error(request, str(error))
    else:
        done = _("The ticket is yours.") if assignee else _("The ticket went back to the queue.")
        messages.success(request, done)


@staff_required
@require_POST
def ticket_properties(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_staff(request.user, ticket_id)
    if request.POST.get("take") or request.POST.get("release"):
        _take_or_release(request, ticket)
        return redirect("desk:ticket_detail", ticket_id=ticket.pk)
    is_admin = _is_admin(request.user)
    form = PropertiesForm(request.POST, ticket=ticket, can_assign=is_admin)
    if form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {
            "status": data["status"],
            "priority": data["priority"],
            "category": data["category"],
            "tags": data["tags"],
            "is_public": data["is_public"],
        }
        if is_admin:
            changes["assignee"] = data["assignee"]
        try:
            ticket_update(ticket=ticket, actor=request.user, **changes)
        except TicketError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Ticket updated."))
            return redirect("desk:ticket_detail", ticket_id=ticket.pk)
    ticket.refresh_from_db()
    context = _context(request, ticket, properties_form=form)
    return render(request, "desk/tickets/detail.html", context, status=400)


@staff_required
@require_POST
def ticket_follow_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_staff(request.user, ticket_id)
    follow = request.POST.get("follow") == "1"
    ticket_follow(ticket=ticket, user=request.user, follow=follow)
    messages.success(
        request, _("You follow this ticket.") if follow else _("You no longer follow this ticket.")
    )
    return redirect("desk:ticket_detail", ticket_id=ticket.pk)


@staff_required
def ticket_attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> FileResponse:
    ticket = access_ticket_staff(request.user, ticket_id)
    attachment = TicketAttachment.objects.filter(ticket=ticket, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Always a download: an uploaded HTML or SVG file must never render on the desk's origin.
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
