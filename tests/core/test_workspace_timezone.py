"""Pages of a workspace show times in its business calendar's time zone."""

from __future__ import annotations

import datetime

from kefu.accounts.models import User
from kefu.tenancy import tenant_context
from kefu.tickets.calendar import business_calendar_update
from kefu.tickets.models import Ticket, TicketMessage
from tests.conftest import host


def test_desk_shows_times_in_the_workspace_time_zone(
    client, tenant_a, tenant_b, make_user, login_as
):
    with tenant_context(tenant_a):
        business_calendar_update(timezone="Asia/Shanghai", working_hours={})
        ticket = Ticket.objects.create(subject="Time check")
        message = TicketMessage.objects.create(ticket=ticket, body="What time is it?")
        TicketMessage.objects.filter(pk=message.pk).update(
            created_at=datetime.datetime(2026, 1, 5, 1, 0, tzinfo=datetime.UTC)
        )
    with tenant_context(tenant_b):
        business_calendar_update(timezone="Europe/Berlin", working_hours={})
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    page = client.get(f"/desk/tickets/{ticket.pk}/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "2026-01-05 09:00" in page  # 01:00 UTC is 09:00 in Shanghai
    assert "2026-01-05 01:00" not in page
