"""Links to a ticket for people outside the desk. A customer without an account reaches their
ticket (and its satisfaction survey) through a signed link in the email Kefu sends them."""

from __future__ import annotations

from django.db import connection

from kefu.core.signing import schema_checked_loads, workspace_dumps, workspace_loads
from kefu.tenancy import tenant_base_url, tenant_reverse
from kefu.tickets.models import Ticket

_PURPOSE = "kefu.tickets.customer-link"


def ticket_access_token(ticket: Ticket) -> str:
    """Signed (ticket, requester) for this workspace: valid only here, for this ticket."""
    return workspace_dumps([ticket.pk, ticket.requester_id], purpose=_PURPOSE)


def ticket_id_from_token(token: str) -> int | None:
    """The ticket a token opens in the current workspace, or None if it is forged or foreign."""
    payload = workspace_loads(token, purpose=_PURPOSE) or schema_checked_loads(token, salt=_PURPOSE)
    try:
        ticket_id, requester_id = payload
        ticket_id = int(ticket_id)
    except (TypeError, ValueError):
        return None
    if not Ticket.objects.filter(pk=ticket_id, requester_id=requester_id).exists():
        return None
    return ticket_id


def _absolute(path: str) -> str:
    from tenants.models import Tenant

    tenant = Tenant.objects.get(schema_name=connection.schema_name)
    return f"{tenant_base_url(tenant)}{path}"


def ticket_customer_url(ticket: Ticket, *, absolute: bool = True) -> str:
    """The help center page of the ticket, with the signed access token."""
    path = tenant_reverse("ticket_detail", args=(ticket.pk,)) + f"?t={ticket_access_token(ticket)}"
    return _absolute(path) if absolute else path


def ticket_rating_url(ticket: Ticket, *, score: int | None = None) -> str:
    """The satisfaction survey of the ticket (optionally pre-filled with a score)."""
    path = tenant_reverse("ticket_rate", args=(ticket.pk,)) + f"?t={ticket_access_token(ticket)}"
    if score:
        path += f"&score={score}"
    return _absolute(path)


def ticket_desk_url(ticket: Ticket) -> str:
    return _absolute(tenant_reverse("desk:ticket_detail", args=(ticket.pk,)))
