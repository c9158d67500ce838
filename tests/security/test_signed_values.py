"""Every signed value Kefu hands out works only in the workspace that made it (issue 14).

All workspaces share one SECRET_KEY. For each kind of value, the objects it names get the
same id in both workspaces (ids collide in production too), a value minted in beta is tried
in alpha, where it must be refused, and then in beta, where it must still work.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection, models
from django.test import Client

from kefu.accounts.jobs import invitation_send_job
from kefu.accounts.models import Invitation, User
from kefu.accounts.services import invitation_create
from kefu.contacts.models import Contact
from kefu.contacts.services import contact_for_email
from kefu.core.signing import workspace_dumps, workspace_loads
from kefu.kb.models import Article
from kefu.messaging.autoreply import solved_link_path
from kefu.tenancy import public_context, tenant_context
from kefu.tickets.links import ticket_customer_url, ticket_rating_url
from kefu.tickets.models import Ticket
from kefu.tickets.services.creation import ticket_create
from tenants.models import Tenant
from tenants.signup import handoff_create
from tests.conftest import PASSWORD, host

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 77"


def _same_next_id(model: type[models.Model], *tenants: Tenant) -> int:
    """Make the next row of ``model`` get the same id in each workspace; returns that id."""
    table = model._meta.db_table
    heads = []
    for tenant in tenants:
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            heads.append(cursor.fetchone()[0])
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            heads.append(cursor.fetchone()[0])
    next_id = max(heads) + 1
    for tenant in tenants:
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, next_id]
            )
    return next_id


def _path_in_mail(tenant: Tenant, to: str, pattern: str) -> str:
    bodies = [m.body for m in mail.outbox if m.to == [to]]
    assert bodies, [m.to for m in mail.outbox]
    match = re.search(rf"http://{tenant.slug}\.localhost({pattern})", bodies[-1])
    assert match, bodies[-1]
    return match.group(1)


# --- the helper ---------------------------------------------------------------------------


def test_a_value_signed_in_beta_reads_as_nothing_in_alpha(tenant_a, tenant_b):
    with tenant_context(tenant_b):
        token = workspace_dumps([4, "x"], purpose="kefu.test")
        assert workspace_loads(token, purpose="kefu.test") == [4, "x"]
        assert workspace_loads(token, purpose="kefu.other") is None
    with tenant_context(tenant_a):
        assert workspace_loads(token, purpose="kefu.test") is None


# --- allauth: email confirmation and password reset ---------------------------------------


def test_a_confirmation_key_from_beta_neither_names_nor_confirms_alphas_address(
    tenant_a, tenant_b, make_user
):
    """The attacker's finding: their key from beta opened alpha's page for the same address
    id, naming alpha's user, and an anonymous POST marked that address verified."""
    address_id = _same_next_id(EmailAddress, tenant_a, tenant_b)
    victim = make_user(tenant_a, User.Role.CUSTOMER, email="victim@alpha.example")
    attacker = Client(HTTP_HOST=host(tenant_b))
    attacker.post(
        "/accounts/signup/",
        {"email": "attacker@evil.example", "password1": PASSWORD, "password2": PASSWORD},
    )
    with tenant_context(tenant_b):
        assert EmailAddress.objects.get(email="attacker@evil.example").pk == address_id
    with tenant_context(tenant_a):
        assert EmailAddress.objects.get(email=victim.email).pk == address_id
    path = _path_in_mail(tenant_b, "attacker@evil.example", r"/accounts/confirm-email/\S+/")

    anonymous = Client(HTTP_HOST=host(tenant_a))
    page = anonymous.get(path).content.decode()
    assert victim.email not in page
    assert anonymous.post(path).status_code == 404
    with tenant_context(tenant_a):
        assert not EmailAddress.objects.get(pk=address_id).verified

    in_beta = Client(HTTP_HOST=host(tenant_b))
    assert "attacker@evil.example" in in_beta.get(path).content.decode()
    assert in_beta.post(path).status_code == 302
    with tenant_context(tenant_b):
        assert EmailAddress.objects.get(pk=address_id).verified


def test_a_password_reset_link_from_beta_resets_nothing_in_alpha(tenant_a, tenant_b, make_user):
    user_id = _same_next_id(User, tenant_a, tenant_b)
    twin_b = make_user(tenant_b, User.Role.AGENT, email="twin@shared.example")
    twin_a = make_user(tenant_a, User.Role.AGENT, email="twin@shared.example")
    assert twin_a.pk == twin_b.pk == user_id
    # The worst case: the same password hash in both, so only the workspace tells them apart.
    with tenant_context(tenant_a):
        User.objects.filter(pk=user_id).update(password=twin_b.password)
    Client(HTTP_HOST=host(tenant_b)).post("/accounts/password/reset/", {"email": twin_b.email})
    path = _path_in_mail(tenant_b, twin_b.email, r"/accounts/password/reset/key/\S+/")

    in_alpha = Client(HTTP_HOST=host(tenant_a))
    page = in_alpha.get(path, follow=True)
    assert "Bad Token" in page.content.decode()
    set_password = path.rsplit("/", 2)[0] + "/set-password/"
    in_alpha.post(set_password, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    with tenant_context(tenant_a):
        assert not User.objects.get(pk=user_id).check_password(NEW_PASSWORD)

    in_beta = Client(HTTP_HOST=host(tenant_b))
    form = in_beta.get(path, follow=True)
    assert "Bad Token" not in form.content.decode()
    action = form.redirect_chain[-1][0]
    in_beta.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    with tenant_context(tenant_b):
        assert User.objects.get(pk=user_id).check_password(NEW_PASSWORD)


# --- Kefu's own links ---------------------------------------------------------------------


def test_an_invitation_link_from_beta_opens_nothing_in_alpha(tenant_a, tenant_b, make_user):
    admin_b = make_user(tenant_b, User.Role.ADMIN)
    admin_a = make_user(tenant_a, User.Role.ADMIN)
    invitation_id = _same_next_id(Invitation, tenant_a, tenant_b)
    with tenant_context(tenant_b):
        in_b = invitation_create(email="new@shared.example", role="agent", invited_by=admin_b)
        invitation_send_job(in_b.pk, in_b.nonce)
    with tenant_context(tenant_a):
        in_a = invitation_create(email="new@shared.example", role="agent", invited_by=admin_a)
        # Even with the same secret nonce, only the workspace that signed the link honours it.
        Invitation.objects.filter(pk=in_a.pk).update(nonce=in_b.nonce)
    assert in_a.pk == in_b.pk == invitation_id
    path = _path_in_mail(tenant_b, "new@shared.example", r"/invitations/\S+/")

    in_alpha = Client(HTTP_HOST=host(tenant_a))
    assert in_alpha.get(path).status_code == 404
    accepted = in_alpha.post(
        path, {"full_name": "Mallory", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert accepted.status_code == 404
    with tenant_context(tenant_a):
        assert not User.objects.filter(email="new@shared.example").exists()

    in_beta = Client(HTTP_HOST=host(tenant_b))
    page = in_beta.get(path)
    assert page.status_code == 200
    assert "new@shared.example" in page.content.decode()


@pytest.fixture
def twin_tickets(tenant_a, tenant_b):
    """A ticket with the same id and the same requester id in both workspaces."""
    _same_next_id(Contact, tenant_a, tenant_b)
    _same_next_id(Ticket, tenant_a, tenant_b)
    tickets = {}
    for tenant, subject in (
        (tenant_b, "Question asked in beta"),
        (tenant_a, "Secret kept in alpha"),
    ):
        with tenant_context(tenant):
            requester = contact_for_email(email="same@shared.example", name="Sam")
            tickets[tenant.slug] = ticket_create(
                subject=subject, description="Details.", requester=requester, channel="email"
            )
    assert tickets["alpha"].pk == tickets["beta"].pk
    assert tickets["alpha"].requester_id == tickets["beta"].requester_id
    return tickets


def _relative(url: str, tenant: Tenant) -> str:
    return url.removeprefix(f"http://{tenant.slug}.localhost")


@pytest.mark.parametrize("link", [ticket_customer_url, ticket_rating_url])
def test_ticket_and_survey_links_from_beta_open_nothing_in_alpha(
    tenant_a, tenant_b, twin_tickets, link
):
    with tenant_context(tenant_b):
        path = _relative(link(twin_tickets["beta"]), tenant_b)
    in_alpha = Client(HTTP_HOST=host(tenant_a)).get(path, follow=True)
    assert in_alpha.status_code == 404
    assert "Secret kept in alpha" not in in_alpha.content.decode()
    in_beta = Client(HTTP_HOST=host(tenant_b)).get(path, follow=True)
    assert in_beta.status_code == 200
    assert "Question asked in beta" in in_beta.content.decode()


def test_a_ticket_link_mailed_before_workspace_salts_still_names_its_workspace(
    tenant_a, tenant_b, twin_tickets
):
    """Links already in customers' mailboxes carried the schema inside; they keep working in
    their own workspace only."""
    from django.core import signing  # noqa: TID251 - the format links had before

    ticket = twin_tickets["beta"]
    old = signing.dumps(
        [tenant_b.schema_name, ticket.pk, ticket.requester_id],
        salt="kefu.tickets.customer-link",
        compress=True,
    )
    path = f"/tickets/{ticket.pk}/?t={old}"
    assert Client(HTTP_HOST=host(tenant_a)).get(path, follow=True).status_code == 404
    in_beta = Client(HTTP_HOST=host(tenant_b)).get(path, follow=True)
    assert "Question asked in beta" in in_beta.content.decode()


def test_a_this_solved_it_link_from_beta_solves_nothing_in_alpha(
    tenant_a, tenant_b, twin_tickets, make_article
):
    _same_next_id(Article, tenant_a, tenant_b)
    article_b = make_article(tenant_b, "Reset the router", "Hold the button for ten seconds.")
    article_a = make_article(tenant_a, "Reset the router", "Hold the button for ten seconds.")
    assert article_a.pk == article_b.pk
    ticket = twin_tickets["beta"]
    with tenant_context(tenant_b):
        path = solved_link_path(ticket, article_id=article_b.pk, shown=[article_b.pk])
    in_alpha = Client(HTTP_HOST=host(tenant_a))
    assert in_alpha.get(path).status_code == 404
    token = path.split("?t=", 1)[1]
    assert in_alpha.post(path.split("?", 1)[0], {"t": token}).status_code == 404
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.NEW
    in_beta = Client(HTTP_HOST=host(tenant_b))
    assert in_beta.get(path).status_code == 200
    in_beta.post(path.split("?", 1)[0], {"t": token})
    with tenant_context(tenant_b):
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED


def test_a_signup_handoff_link_for_beta_signs_nobody_in_on_alpha(tenant_a, tenant_b, make_user):
    user_id = _same_next_id(User, tenant_a, tenant_b)
    owner_b = make_user(tenant_b, User.Role.OWNER)
    owner_a = make_user(tenant_a, User.Role.OWNER)
    assert owner_a.pk == owner_b.pk == user_id
    with public_context():
        token = handoff_create(tenant=tenant_b, user_id=user_id)
    in_alpha = Client(HTTP_HOST=host(tenant_a))
    assert in_alpha.get(f"/handoff/{token}/").status_code == 400
    assert in_alpha.get("/desk/").status_code == 302  # still signed out: the sign-in page
    in_beta = Client(HTTP_HOST=host(tenant_b))
    assert in_beta.get(f"/handoff/{token}/").status_code == 302
    assert in_beta.get("/desk/").status_code == 200
