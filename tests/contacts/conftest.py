"""Fixtures of the contact tests: people of workspace alpha with some history."""

from __future__ import annotations

import pytest
from django.test import Client

from kefu.accounts.models import User
from kefu.tenancy import tenant_context
from tests.conftest import host


@pytest.fixture
def admin(tenant_a, make_user) -> User:
    return make_user(tenant_a, User.Role.ADMIN, first_name="Ada", last_name="Admin")


@pytest.fixture
def agent(tenant_a, make_user) -> User:
    return make_user(tenant_a, User.Role.AGENT, first_name="Alex", last_name="Wu")


def browser_for(tenant, user=None) -> Client:
    """A separate browser on ``tenant``'s host, signed in as ``user`` if given."""
    browser = Client(HTTP_HOST=host(tenant))
    if user is not None:
        with tenant_context(tenant):
            browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


@pytest.fixture
def open_ticket(db):
    """``open_ticket(tenant, contact, subject, channel="web")`` through the real service."""
    from kefu.tickets.services.creation import ticket_create

    def make(tenant, contact, subject: str, *, channel: str = "web", **options):
        with tenant_context(tenant):
            options.setdefault("description", f"{subject}. Please help.")
            return ticket_create(subject=subject, requester=contact, channel=channel, **options)

    return make
