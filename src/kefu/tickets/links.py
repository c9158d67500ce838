"""Links to a ticket for people outside the desk. A customer without an account reaches their
ticket (and its satisfaction survey) through a signed link in the email Kefu sends them."""

from __future__ import annotations

from django.core import signing
from django.db import connection

from kefu.tenancy import tenant_base_url, tenant_reverse
from kefu.tickets.models import Ticket

_SALT = "kefu.tickets.customer-link"


def ticket_access_token(ticket: Ticket) -> str:
    """Signed (schema, ticket, requester): valid only in this workspace, for this ticket."""
    return signing.dumps(
        [connection.schema_name, ticket.pk, ticket.requester_id], salt=_SALT, compress=True
    )


def ticket_id_from_token(token: str) -> int | None:
    """The ticket a token opens in the current workspace, or None if it is forged or foreign."""
    try:
        schema_name, ticket_id, requester_id = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if schema_name != connection.schema_name:
        return None
    if not Ticket.objects.filter(pk=ticket_id, requester_id=requester_id).exists():
        return None
    return int(ticket_id)


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
