"""The customer's ticket page in the help center: the public thread, the promised time, reply,
close, reopen, follow, the satisfaction survey and attachment downloads.

Every view fetches the ticket through ``kefu.tickets.access`` (404 when missing or forbidden);
a signed link from an email (``?t=``) lets its holder act as the requester for this session.
Internal notes and their files never reach this page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.visitors import remember_visitor, visitor_key
from kefu.portal.tickets import link_ticket, linked_ticket_ids
from kefu.tickets.access import access_ticket, can_act_as_requester, is_requester
from kefu.tickets.errors import TicketError
from kefu.tickets.links import ticket_id_from_token
from kefu.tickets.models import (
    Ticket,
    TicketAttachment,
    TicketField,
    TicketMessage,
    TicketRating,
    TicketView,
)
from kefu.tickets.services.changes import (
    ticket_close_by_customer,
    ticket_follow,
    ticket_rate,
    ticket_reopen_by_customer,
)
from kefu.tickets.services.thread import ticket_reply

ANSWERED = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)


def _with_token(request: HttpRequest, ticket_id: int) -> HttpResponse | None:
    """A signed link: remember the ticket in the session, then go to the same URL without the
    token (so it does not linger in history, referrers or screenshots)."""
    if "t" not in request.GET:
        return None
    if ticket_id_from_token(request.GET["t"]) == ticket_id:
        link_ticket(request, ticket_id)
    rest = {key: value for key, value in request.GET.items() if key != "t"}
    return redirect(request.path + (f"?{urlencode(rest)}" if rest else ""))


def _ticket(request: HttpRequest, ticket_id: int) -> tuple[Ticket, bool]:
    """The ticket if this person may read it (else 404), and whether they act as requester."""
    linked = linked_ticket_ids(request)
    ticket = access_ticket(request.user, ticket_id, linked_ticket_ids=linked)
    return ticket, can_act_as_requester(request.user, ticket, linked_ticket_ids=linked)


def _workspace_timezone() -> str:
    from kefu.tickets.calendar import workspace_timezone_name

    return workspace_timezone_name()


def _author_label(message: TicketMessage, ticket: Ticket, mine: bool) -> str:
    """Staff by first name (never an email); the requester as "You" to themselves."""
    if message.from_staff:
        return message.author.first_name or _("Support team")
    requester = ticket.requester
    from_requester = message.author_contact_id == ticket.requester_id or (
        requester is not None and message.author_id and message.author_id == requester.user_id
    )
    if from_requester:
        return (
            _("You")
            if mine
            else (requester.name if requester and requester.name else _("Customer"))
        )
    if message.author is not None and message.author.first_name:
        return message.author.first_name
    return _("Customer")


def _thread(ticket: Ticket, mine: bool) -> list[dict[str, Any]]:
    public = (
        ticket.messages.filter(kind=TicketMessage.Kind.PUBLIC)
        .select_related("author", "author_contact")
        .prefetch_related(Prefetch("attachments", queryset=TicketAttachment.objects.order_by("id")))
    )
    return [
        {"message": message, "author": _author_label(message, ticket, mine),
         "from_staff": message.from_staff, "attachments": list(message.attachments.all())}
        for message in public
    ]  # fmt: skip


def _field_rows(ticket: Ticket) -> list[dict[str, Any]]:
    """The custom fields the customer filled in (shown to the requester only)."""
    labels = dict(
        TicketField.objects.filter(
            Q(category=ticket.category) | Q(category__isnull=True)
        ).values_list("key", "label")
    )
    files = {
        a.field_key: a
        for a in ticket.attachments.filter(message__isnull=True).exclude(field_key="")
    }
    rows = []
    for key, value in (ticket.fields or {}).items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        rows.append({"label": labels.get(key, key), "value": shown, "file": files.get(key)})
    return rows


def _context(request: HttpRequest, ticket: Ticket, mine: bool, **extra: Any) -> dict[str, Any]:
    user = request.user
    following = user.is_authenticated and ticket.followers.filter(pk=user.pk).exists()
    open_thread = ticket.merged_into_id is None
    return {
        "ticket": ticket,
        "thread": _thread(ticket, mine),
        "field_rows": _field_rows(ticket) if mine or getattr(user, "is_desk_user", False) else [],
        "workspace_timezone": _workspace_timezone(),
        "mine": mine,
        "can_reply": mine and open_thread and ticket.status != Ticket.Status.CLOSED,
        "can_close": mine and open_thread and ticket.is_active,
        "can_reopen": mine and open_thread and ticket.status in ANSWERED,
        "can_follow": user.is_authenticated
        and (ticket.is_public or is_requester(user, ticket) or following),
        "following": following,
        "follower_count": ticket.followers.count(),
        "rating": TicketRating.objects.filter(ticket=ticket).first(),
        "show_survey": mine and ticket.status in ANSWERED,
        "scores": range(1, 6),
        **extra,
    }


def _record_view(request: HttpRequest, ticket: Ticket) -> None:
    """One view per visitor per day of a public ticket (what "hot issues" counts)."""
    if ticket.is_public:
        TicketView.objects.bulk_create(
            [TicketView(ticket=ticket, visitor_key=visitor_key(request), day=timezone.localdate())],
            ignore_conflicts=True,
        )


def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    if (response := _with_token(request, ticket_id)) is not None:
        return response
    ticket, mine = _ticket(request, ticket_id)
    _record_view(request, ticket)
    response = render(request, "portal/tickets/detail.html", _context(request, ticket, mine))
    return remember_visitor(request, response)


@require_POST
def ticket_reply_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket, mine = _ticket(request, ticket_id)
    if not mine:
        raise Http404
    user = request.user if request.user.is_authenticated else None
    body = request.POST.get("body", "")
    try:
        ticket_reply(
            ticket=ticket,
            author=user,
            author_contact=ticket.requester,
            body=body,
            attachments=request.FILES.getlist("attachments"),
        )
    except TicketError as error:
        context = _context(request, ticket, mine, reply_body=body, reply_error=str(error))
        return render(request, "portal/tickets/detail.html", context)
    messages.success(request, _("Your reply was sent."))
    return redirect("ticket_detail", ticket_id=ticket.pk)


def _customer_change(request: HttpRequest, ticket_id: int, change: Any, done: str) -> HttpResponse:
    ticket, mine = _ticket(request, ticket_id)
    if not mine:
        raise Http404
    try:
        change(ticket=ticket, user=request.user if request.user.is_authenticated else None)
    except TicketError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("ticket_detail", ticket_id=ticket.pk)


@require_POST
def ticket_close_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _customer_change(
        request, ticket_id, ticket_close_by_customer, _("Glad it is solved! Tell us how we did.")
    )


@require_POST
def ticket_reopen_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return _customer_change(
        request, ticket_id, ticket_reopen_by_customer, _("The ticket is open again.")
    )


@require_POST
def ticket_follow_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    ticket, _mine = _ticket(request, ticket_id)
    follow = request.POST.get("follow") != "no"
    allowed = ticket.is_public or is_requester(request.user, ticket)
    if follow and not allowed:
        raise Http404
    ticket_follow(ticket=ticket, user=request.user, follow=follow)
    messages.success(
        request,
        _("You follow this ticket now.") if follow else _("You no longer follow this ticket."),
    )
    return redirect("ticket_detail", ticket_id=ticket.pk)


def ticket_rate_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The satisfaction survey (1-5 and a comment), also opened from the email's links."""
    if (response := _with_token(request, ticket_id)) is not None:
        return response
    ticket, mine = _ticket(request, ticket_id)
    if not mine:
        raise Http404
    rating = TicketRating.objects.filter(ticket=ticket).first()
    if request.method == "POST":
        try:
            ticket_rate(
                ticket=ticket,
                score=request.POST.get("score"),
                comment=request.POST.get("comment", ""),
                contact=ticket.requester,
            )
        except TicketError as error:
            messages.error(request, str(error))
            return redirect("ticket_rate", ticket_id=ticket.pk)
        messages.success(request, _("Thank you for your rating!"))
        return redirect("ticket_detail", ticket_id=ticket.pk)
    raw_score = request.GET.get("score", "")
    selected = (
        int(raw_score) if raw_score in {"1", "2", "3", "4", "5"} else getattr(rating, "score", None)
    )
    context = {"ticket": ticket, "rating": rating, "selected": selected, "scores": range(1, 6),
               "answered": ticket.status in ANSWERED}  # fmt: skip
    return render(request, "portal/tickets/rate.html", context)


def ticket_attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponse:
    """A file of the ticket, for those who may read it: files on public replies; files of the
    form's fields only for the requester. Internal notes' files are never served here."""
    ticket, mine = _ticket(request, ticket_id)
    files = TicketAttachment.objects.filter(ticket=ticket, draft__isnull=True)
    visible = Q(message__kind=TicketMessage.Kind.PUBLIC)
    if mine or getattr(request.user, "is_desk_user", False):
        visible |= Q(message__isnull=True)
    attachment = files.filter(visible, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.filename)
