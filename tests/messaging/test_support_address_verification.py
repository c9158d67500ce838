"""The support address is verified by mail that really arrives, never by typing it: the desk
shows the address to forward to, sends a test message through the outbound path, and the
checklist step is done once a mail to the address came in (the test message or a real one)."""

from __future__ import annotations

import pytest
from django.core import mail

from kefu.accounts.models import User
from kefu.desk.onboarding import onboarding_steps
from kefu.desk.selectors import workspace_settings_get
from kefu.messaging.models import InboundEmail
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from tests.conftest import host

pytestmark = pytest.mark.django_db

EMAIL_URL = "/desk/settings/email/"
TEST_URL = "/desk/settings/email/test/"


@pytest.fixture
def admin_client(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    return client


def _save_address(client, tenant, address="help@alpha.example"):
    return client.post(EMAIL_URL, {"support_email": address}, HTTP_HOST=host(tenant))


def _email_step_done(tenant) -> bool:
    with tenant_context(tenant):
        return {step.key: step.done for step in onboarding_steps()}["email"]


def _real_mail(to: str, message_id: str = "real-1@customer.example") -> bytes:
    return (
        "From: Casey <casey@customer.example>\r\n"
        f"To: {to}\r\n"
        "Subject: Where is my tea?\r\n"
        f"Message-ID: <{message_id}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "My order has not arrived.\r\n"
    ).encode()


def test_typing_the_address_is_not_enough_the_page_says_what_to_forward_and_that_it_waits(
    admin_client, tenant_a
):
    assert _save_address(admin_client, tenant_a).status_code == 302
    assert not _email_step_done(tenant_a)
    page = admin_client.get(EMAIL_URL, HTTP_HOST=host(tenant_a)).content.decode()
    assert '<code id="forwarding-address">support@alpha.localhost</code>' in page
    assert 'data-state="unverified"' in page
    assert "Not verified yet" in page
    assert 'id="send-test-message"' in page


def test_the_test_message_goes_out_from_the_workspace_to_the_support_address(
    admin_client, tenant_a
):
    _save_address(admin_client, tenant_a)
    response = admin_client.post(TEST_URL, HTTP_HOST=host(tenant_a), follow=True)
    assert "A test message was sent to help@alpha.example" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["Alpha Ltd <help@alpha.example>"]
    assert message.from_email == "Alpha Ltd <support@alpha.localhost>"
    assert "X-Kefu-Verification" in message.extra_headers
    assert "support@alpha.localhost" in message.body  # where it should be forwarded to
    assert not _email_step_done(tenant_a), "sent is not arrived"


def test_the_test_message_arriving_verifies_the_address_and_makes_no_ticket(
    admin_client, tenant_a, deliver
):
    _save_address(admin_client, tenant_a)
    admin_client.post(TEST_URL, HTTP_HOST=host(tenant_a))
    raw = mail.outbox[0].message().as_bytes()

    inbound = deliver(tenant_a, raw, envelope_recipient="support@alpha.localhost")

    assert inbound.status == InboundEmail.Status.DISCARDED
    assert "test message" in inbound.reason
    assert _email_step_done(tenant_a)
    with tenant_context(tenant_a):
        assert not Ticket.objects.exists()
    page = admin_client.get(EMAIL_URL, HTTP_HOST=host(tenant_a)).content.decode()
    assert 'data-state="verified"' in page
    assert "the forwarding works" in page


def test_any_real_mail_to_the_address_verifies_it_and_still_becomes_a_ticket(
    admin_client, tenant_a, deliver
):
    _save_address(admin_client, tenant_a)
    other = deliver(tenant_a, _real_mail("sales@alpha.example", "other@customer.example"))
    assert other.status == InboundEmail.Status.PROCESSED
    assert not _email_step_done(tenant_a), "a mail to another address proves nothing"

    inbound = deliver(tenant_a, _real_mail("Alpha Help <HELP@alpha.example>"))

    assert inbound.status == InboundEmail.Status.PROCESSED
    assert _email_step_done(tenant_a)


def test_changing_the_address_asks_for_a_new_proof(admin_client, tenant_a, deliver):
    _save_address(admin_client, tenant_a)
    deliver(tenant_a, _real_mail("help@alpha.example"))
    assert _email_step_done(tenant_a)
    _save_address(admin_client, tenant_a, "kefu@alpha.example")
    assert not _email_step_done(tenant_a)


def test_a_test_message_of_another_workspace_is_no_proof_and_is_not_swallowed(
    client, tenant_a, tenant_b, make_user, login_as, deliver
):
    for tenant in (tenant_a, tenant_b):
        login_as(tenant, make_user(tenant, User.Role.ADMIN))
        _save_address(client, tenant, f"help@{tenant.slug}.example")
    client.post(TEST_URL, HTTP_HOST=host(tenant_b))
    raw = mail.outbox[0].message().as_bytes()

    inbound = deliver(tenant_a, raw)

    assert not _email_step_done(tenant_a), "beta's signed token means nothing in alpha"
    assert inbound.status == InboundEmail.Status.PROCESSED, "kept as an ordinary mail"
    with tenant_context(tenant_a):
        assert workspace_settings_get().support_email_verified_at is None


def test_without_an_address_or_when_sending_fails_the_page_says_so(
    admin_client, tenant_a, settings
):
    response = admin_client.post(TEST_URL, HTTP_HOST=host(tenant_a), follow=True)
    assert "Enter your support address first." in response.content.decode()
    assert mail.outbox == []

    _save_address(admin_client, tenant_a)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    response = admin_client.post(TEST_URL, HTTP_HOST=host(tenant_a), follow=True)
    assert response.status_code == 200
    assert "The test message could not be sent" in response.content.decode()


def test_agents_cannot_send_the_test_message(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert client.post(TEST_URL, HTTP_HOST=host(tenant_a)).status_code in (403, 302)
    assert mail.outbox == []
