"""The ticket API's endpoints: list and open, read and change, reply."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.accounts.models import User
from kefu.api.auth import staff_api
from kefu.api.body import Input, json_object
from kefu.api.errors import ApiError
from kefu.api.tickets.payloads import message_json, ticket_detail_json, ticket_json
from kefu.core.parsing import BIGINT_MAX, id_or_none, parse_integer
from kefu.messaging.channels import channel_receive
from kefu.tickets.access import access_ticket_staff, tickets_visible_to
from kefu.tickets.errors import TicketError
from kefu.tickets.models import Ticket, TicketCategory
from kefu.tickets.services.changes import ticket_assign, ticket_update
from kefu.tickets.services.creation import MAX_DESCRIPTION, MAX_SUBJECT, MAX_TAGS
from kefu.tickets.services.thread import MAX_BODY, ticket_reply

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
#: The last page whose offset still fits PostgreSQL's bigint.
MAX_PAGE = BIGINT_MAX // MAX_LIMIT
CREATE_FIELDS = frozenset(
    {"subject", "description", "requester", "category", "priority", "fields", "tags", "is_public"}
)
UPDATE_FIELDS = frozenset(
    {"status", "priority", "category", "assignee", "tags", "is_public", "fields"}
)
REPLY_FIELDS = frozenset({"body", "internal", "status"})
ADMIN_ROLES = frozenset({User.Role.OWNER, User.Role.ADMIN})
NO_TICKET = gettext_lazy("No such ticket.")
LIST_PARAMETERS = ("status", "assignee", "category", "requester", "q", "page", "limit")


def _staff() -> QuerySet[User]:
    return User.objects.filter(role__in=User.STAFF_ROLES)


@staff_api("GET", "POST", not_found=NO_TICKET, query=LIST_PARAMETERS)
def ticket_collection(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _create(request)
    tickets = _filtered(request, tickets_visible_to(request.api_user))
    page = parse_integer(
        request.GET.get("page"), name="page", minimum=1, maximum=MAX_PAGE, default=1
    )
    limit = parse_integer(
        request.GET.get("limit"), name="limit", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT
    )
    count = tickets.count()
    offset = (page - 1) * limit
    results = [ticket_json(ticket) for ticket in tickets[offset : offset + limit]]
    next_url = None
    if offset + limit < count:
        params = request.GET.copy()
        params["page"] = str(page + 1)
        next_url = f"{request.path}?{params.urlencode()}"
    return JsonResponse({"results": results, "count": count, "next": next_url})


def _filtered(request: HttpRequest, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """?status=open,pending &assignee=me|none|<id> &category=<id> &requester=<email> &q=..."""
    errors: dict[str, list[str]] = {}
    if raw_statuses := request.GET.get("status", ""):
        statuses = raw_statuses.split(",")
        if set(statuses) - set(Ticket.Status.values):
            errors["status"] = [_("Use one of: %s.") % ", ".join(Ticket.Status.values)]
        tickets = tickets.filter(status__in=statuses)
    if assignee := request.GET.get("assignee", ""):
        if (condition := _assignee_q(assignee, request.api_user)) is not None:
            tickets = tickets.filter(condition)
        else:
            errors["assignee"] = [_("Use me, none or a user id.")]
    if "category" in request.GET:
        if (category_id := id_or_none(request.GET["category"])) is not None:
            tickets = tickets.filter(category_id=category_id)
        else:
            errors["category"] = [_("Use a category id.")]
    if requester := request.GET.get("requester", "").strip():
        tickets = tickets.filter(requester__email__iexact=requester)
    if query := request.GET.get("q", "").strip():
        text = Q(subject__icontains=query) | Q(description__icontains=query)
        if (number := id_or_none(query.lstrip("#"))) is not None:
            text |= Q(pk=number)
        tickets = tickets.filter(text)
    if errors:
        raise ApiError(400, "invalid", _("Some filters are not valid."), errors)
    return tickets.order_by("-created_at", "-id")


def _assignee_q(assignee: str, user: User) -> Q | None:
    """The condition of ``?assignee=me|none|<id>``, or None for anything else."""
    if assignee == "me":
        return Q(assignee=user)
    if assignee == "none":
        return Q(assignee__isnull=True)
    assignee_id = id_or_none(assignee)
    return Q(assignee_id=assignee_id) if assignee_id is not None else None


def _create(request: HttpRequest) -> JsonResponse:
    """An integration opens a ticket for a customer (found or created by email)."""
    data = Input(json_object(request, CREATE_FIELDS))
    subject = data.text("subject", max_length=MAX_SUBJECT, required=True)
    description = data.text("description", max_length=MAX_DESCRIPTION)
    person = data.requester("requester")
    category = data.row("category", TicketCategory.objects.filter(is_active=True))
    priority = data.choice("priority", Ticket.Priority.values) or Ticket.Priority.NORMAL
    tags = data.strings("tags", max_items=MAX_TAGS) or []
    field_values = data.field_values("fields") or {}
    is_public = data.flag("is_public")
    data.check()
    # One transaction: a rejected ticket leaves no new contact behind.
    # No author: the first message is the customer's words, not the integration's.
    ticket = channel_receive(
        channel=Ticket.Channel.API,
        identity_kind="email",
        identity_value=person["email"],
        name=person["name"],
        contact_language=person["language"],
        subject=subject,
        body=description,
        category=category,
        field_values=field_values,
        priority=priority,
        is_public=is_public,
        tags=tags,
        actor=request.api_user,  # the history records which staff token opened it
    ).ticket
    response = JsonResponse(ticket_detail_json(_reload(ticket.pk)), status=201)
    response["Location"] = f"{request.path.rstrip('/')}/{ticket.pk}"
    return response


def _reload(ticket_id: int) -> Ticket:
    return Ticket.objects.select_related("requester", "assignee", "category").get(pk=ticket_id)


@staff_api("GET", "PATCH", not_found=NO_TICKET)
def ticket_item(request: HttpRequest, ticket_id: int) -> JsonResponse:
    ticket = access_ticket_staff(request.api_user, ticket_id)
    if request.method == "PATCH":
        _update(request, ticket)
        ticket = _reload(ticket.pk)
    return JsonResponse(ticket_detail_json(ticket))


def _update(request: HttpRequest, ticket: Ticket) -> None:
    data = Input(json_object(request, UPDATE_FIELDS))
    changes: dict[str, Any] = {
        "status": data.choice("status", Ticket.Status.values),
        "priority": data.choice("priority", Ticket.Priority.values),
        "tags": data.strings("tags", max_items=MAX_TAGS),
        "is_public": data.flag("is_public"),
        "field_values": data.field_values("fields"),
    }
    if "category" in data:
        changes["category"] = data.row("category", TicketCategory.objects.all())
    assignee = data.row("assignee", _staff()) if "assignee" in data else ticket.assignee
    data.check()
    with transaction.atomic():
        if assignee != ticket.assignee:
            _assign(ticket, assignee, request.api_user)
        ticket_update(ticket=ticket, actor=request.api_user, **changes)


def _assign(ticket: Ticket, assignee: User | None, actor: User) -> None:
    try:
        ticket_assign(ticket=ticket, assignee=assignee, actor=actor)
    except TicketError as error:
        fit = assignee is None or assignee.is_active
        if fit and actor.role not in ADMIN_ROLES:  # the rule said no to this role
            raise ApiError(403, "forbidden", str(error)) from None
        raise ApiError(400, "invalid", str(error), {"assignee": [str(error)]}) from None


@staff_api("POST", not_found=NO_TICKET)
def ticket_reply_view(request: HttpRequest, ticket_id: int) -> JsonResponse:
    """A public reply (mailed to the requester) or, with ``internal``, a note for staff."""
    ticket = access_ticket_staff(request.api_user, ticket_id)
    data = Input(json_object(request, REPLY_FIELDS))
    body = data.text("body", max_length=MAX_BODY, required=True)
    internal = bool(data.flag("internal"))
    status = data.choice("status", Ticket.Status.values)
    data.check()
    message = ticket_reply(
        ticket=ticket,
        author=request.api_user,
        body=body,
        internal=internal,
        channel=Ticket.Channel.API,
        new_status=status,
    )
    body_json = {"message": message_json(message), "ticket": ticket_json(_reload(ticket.pk))}
    return JsonResponse(body_json, status=201)
