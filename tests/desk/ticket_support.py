"""Shared helpers for the ticket desk tests (tests/desk/test_ticket_*.py). Import
``make_ticket_fixture`` to get the ``make_ticket`` fixture in a module."""

from __future__ import annotations

import pytest
from django.test import Client

from kefu.tenancy import tenant_context
from tests.conftest import host


@pytest.fixture(name="make_ticket")
def make_ticket_fixture(db):
    """``make_ticket(tenant, subject, requester_email=..., **options)`` via the real service."""
    from kefu.contacts.services import contact_for_email
    from kefu.tickets.services.creation import ticket_create

    def make(tenant, subject: str = "Printer is on fire", *, requester_email: str = "", **options):
        with tenant_context(tenant):
            requester = options.pop("requester", None) or contact_for_email(
                email=requester_email or f"customer@{tenant.slug}.example", name="Casey"
            )
            options.setdefault("description", f"{subject}. Please help.")
            return ticket_create(subject=subject, requester=requester, **options)

    return make


def client_for(tenant, user) -> Client:
    """A separate browser signed in as ``user`` on ``tenant``'s host."""
    browser = Client(HTTP_HOST=host(tenant))
    with tenant_context(tenant):
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return browser
