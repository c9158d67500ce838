"""Reads for the desk (inside a tenant schema)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from kefu.accounts.models import Invitation, User
from kefu.desk.models import WorkspaceSettings


def workspace_settings_get() -> WorkspaceSettings:
    """The workspace's settings row (created with defaults on first use)."""
    settings_row = WorkspaceSettings.objects.order_by("pk").first()
    if settings_row is None:
        settings_row, _created = WorkspaceSettings.objects.get_or_create(pk=1)
    return settings_row


def staff_list() -> QuerySet[User]:
    """Owner, admins and agents with how many open tickets each holds."""
    from kefu.tickets.models import Ticket

    return (
        User.objects.filter(role__in=User.STAFF_ROLES)
        .annotate(
            open_ticket_count=Count(
                "assigned_tickets", filter=Q(assigned_tickets__status__in=Ticket.ACTIVE_STATUSES)
            )
        )
        .order_by("-is_active", "role", "email")
    )


def invitation_list_pending() -> QuerySet[Invitation]:
    from django.utils import timezone

    return Invitation.objects.filter(
        accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("invited_by")
