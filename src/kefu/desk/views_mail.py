"""Inbound email in the desk: the quarantine (retry, download the original, add to a ticket by
hand, discard), the log of recent inbound mail, and the test message of the support address."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.accounts.permissions import ADMIN_ROLES, admin_required, staff_required
from kefu.core.parsing import id_or_none
from kefu.messaging.inbound import email_assign
from kefu.messaging.models import InboundEmail
from kefu.messaging.quarantine import (
    access_inbound,
    inbound_discard,
    inbound_list_recent,
    inbound_retry,
    quarantine_list,
)
from kefu.tickets.access import access_ticket_staff
from kefu.tickets.errors import TicketError

PAGE_SIZE = 50


def _back(request: HttpRequest) -> HttpResponse:
    target = "desk:mail_inbox" if request.POST.get("back") == "inbox" else "desk:mail_quarantine"
    return redirect(target)


@staff_required
@require_GET
def mail_quarantine(request: HttpRequest) -> HttpResponse:
    page = Paginator(quarantine_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "is_admin": request.user.role in ADMIN_ROLES}
    return render(request, "desk/mail/quarantine.html", context)


@staff_required
@require_GET
def mail_inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(inbound_list_recent(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "status": status, "statuses": InboundEmail.Status.choices}
    return render(request, "desk/mail/inbox.html", context)


@staff_required
@require_GET
def mail_raw(request: HttpRequest, inbound_id: int) -> FileResponse:
    inbound = access_inbound(inbound_id)
    try:
        handle = inbound.raw.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"email-{inbound.pk}.eml",
        content_type="message/rfc822",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_POST
def mail_retry(request: HttpRequest, inbound_id: int) -> HttpResponse:
    inbound = access_inbound(inbound_id)
    try:
        inbound = inbound_retry(inbound=inbound, actor=request.user)
    except TicketError as error:
        messages.error(request, str(error))
        return _back(request)
    if inbound.status == InboundEmail.Status.PROCESSED:
        messages.success(
            request, _("The email was added to #%(number)d.") % {"number": inbound.ticket_id}
        )
    else:
        messages.error(request, _("Still quarantined: %(reason)s") % {"reason": inbound.reason})
    return _back(request)


@staff_required
@require_POST
def mail_assign(request: HttpRequest, inbound_id: int) -> HttpResponse:
    inbound = access_inbound(inbound_id)
    number = request.POST.get("ticket", "").strip().lstrip("#")
    ticket_id = id_or_none(number)
    if ticket_id is None:
        messages.error(request, _("Enter a ticket number."))
        return _back(request)
    try:
        ticket = access_ticket_staff(request.user, ticket_id)
    except Http404:
        messages.error(request, _("There is no ticket #%(number)s.") % {"number": number})
        return _back(request)
    try:
        email_assign(inbound=inbound, ticket=ticket, actor=request.user)
    except TicketError as error:
        messages.error(request, str(error))
        return _back(request)
    messages.success(request, _("The email was added to #%(number)d.") % {"number": ticket.pk})
    return redirect("desk:ticket_detail", ticket_id=ticket.pk)


@admin_required
@require_POST
def mail_discard(request: HttpRequest, inbound_id: int) -> HttpResponse:
    inbound = access_inbound(inbound_id)
    try:
        inbound_discard(inbound=inbound, actor=request.user)
    except TicketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The email was discarded; the original is kept."))
    return _back(request)


@admin_required
@require_POST
def support_email_test(request: HttpRequest) -> HttpResponse:
    """Send the test message to the support address; it verifies the address on arrival."""
    from kefu.messaging.verification import TestMessageError, support_email_test_send

    try:
        address = support_email_test_send(workspace=request.tenant)
    except TestMessageError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "A test message was sent to %(address)s. When it arrives through your "
                "forwarding, this page shows the address as verified."
            )
            % {"address": address},
        )
    return redirect("desk:email")
