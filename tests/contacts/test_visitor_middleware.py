"""The help center visitor cookie is linked to a signed-in customer's contact (so their searches
and reads show on their timeline), once per session and again when the cookie changes."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactVisitor
from kefu.core.visitors import COOKIE
from kefu.tenancy import tenant_context
from tests.contacts.conftest import browser_for

pytestmark = pytest.mark.django_db

KEY = "a-visitor-cookie-0001"


def _linked_keys(tenant, user) -> list[str]:
    with tenant_context(tenant):
        contact = Contact.objects.filter(user=user).first()
        if contact is None:
            return []
        return sorted(contact.visitors.values_list("visitor_key", flat=True))


def test_a_signed_in_customers_cookie_is_linked_once_and_again_when_it_changes(tenant_a, make_user):
    customer = make_user(tenant_a, User.Role.CUSTOMER, email="mei@example.com")
    browser = browser_for(tenant_a, customer)
    browser.cookies[COOKIE] = KEY
    assert browser.get("/").status_code == 200
    assert _linked_keys(tenant_a, customer) == [KEY]
    with tenant_context(tenant_a):
        first_seen = ContactVisitor.objects.get(visitor_key=KEY).last_seen_at
    browser.get("/")
    with tenant_context(tenant_a):
        assert ContactVisitor.objects.get(visitor_key=KEY).last_seen_at == first_seen  # no write
    browser.cookies[COOKIE] = "another-cookie-00002"
    browser.get("/")
    assert _linked_keys(tenant_a, customer) == ["a-visitor-cookie-0001", "another-cookie-00002"]


def test_a_cookie_set_for_the_first_time_is_linked_too(tenant_a, make_user):
    customer = make_user(tenant_a, User.Role.CUSTOMER)
    browser = browser_for(tenant_a, customer)
    response = browser.get("/search/", {"q": "refund"})
    new_key = response.cookies[COOKIE].value
    assert _linked_keys(tenant_a, customer) == [new_key]


def test_staff_and_anonymous_visitors_are_not_linked(tenant_a, make_user, agent):
    staff_browser = browser_for(tenant_a, agent)
    staff_browser.cookies[COOKIE] = KEY
    staff_browser.get("/")
    anonymous = browser_for(tenant_a)
    anonymous.cookies[COOKIE] = "anonymous-cookie-0001"
    anonymous.get("/")
    with tenant_context(tenant_a):
        assert not ContactVisitor.objects.exists()
        assert not Contact.objects.filter(user=agent).exists()
