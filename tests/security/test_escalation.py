"""Role escalation judged by what changed: pages an admin may open but whose owner-only
actions must do nothing, an agent's API token against an admin's, deactivated staff, and
workspace people at the operator console. Each refused attack has a genuine twin that works."""

from __future__ import annotations

import json

import pytest

from kefu.accounts.models import Invitation, User
from kefu.tenancy import tenant_context
from tests.security.probe import (
    ALLOW,
    DENY,
    QUIET,
    check,
    host_of,
    mark,
    new_findings,
    record,
)
from tests.security.probe import scenario as attack_as
from tests.security.routes import ADMIN, AGENT, ANONYMOUS, OWNER
from tests.security.world import PASSWORD

pytestmark = pytest.mark.django_db

ALPHA = host_of("alpha")


def _in_alpha(attack, make):
    with tenant_context(attack.world.tenants["alpha"]):
        return make()


def _assert_clean(before: tuple[int, int, int]) -> None:
    findings = new_findings(before)
    assert not findings, "\n".join(findings)


def _active(attack, user_id: int) -> bool:
    return _in_alpha(attack, lambda: User.objects.get(pk=user_id).is_active)


def test_an_admin_deactivates_neither_the_owner_nor_another_admin(attack):
    from kefu.accounts.services import user_create

    world, before = attack.world, mark()
    owner = world.users["alpha"][OWNER]
    with attack_as(attack.actors, ADMIN) as browser:
        other_admin = _in_alpha(
            attack,
            lambda: user_create(email="second.admin@alpha.example", password=None, role=ADMIN),
        )
        for target in (owner, other_admin):
            answer = browser.post(f"/desk/team/{target.pk}/deactivate/", HTTP_HOST=ALPHA)
            check(world, f"admin deactivates {target.role}", answer, expect=QUIET, seen_by=ADMIN)
            record(f"an admin deactivated the {target.role}", leaked=not _active(attack, target.pk))
        owners_browser = attack.actors.browser(OWNER)
        owners_browser.post(f"/desk/team/{other_admin.pk}/deactivate/", HTTP_HOST=ALPHA)
        assert not _active(attack, other_admin.pk), "the owner may deactivate an admin"
    _assert_clean(before)


@pytest.mark.parametrize("role", [ADMIN, AGENT])
def test_nobody_invites_a_second_owner(attack, role):
    world, before = attack.world, mark()
    with attack_as(attack.actors, role) as browser:
        for invited_role, expect in ((OWNER, QUIET), (AGENT, QUIET if role == ADMIN else DENY)):
            email = f"new.{invited_role}@alpha.example"
            answer = browser.post(
                "/desk/team/", {"email": email, "role": invited_role}, HTTP_HOST=ALPHA
            )
            check(world, f"{role} invites an {invited_role}", answer, expect=expect, seen_by=role)
            made = _in_alpha(
                attack,
                lambda email=email: (
                    Invitation.objects.filter(email=email).values_list("role", flat=True).first()
                ),
            )
            if invited_role == OWNER or role == AGENT:
                record(f"{role} invited an {invited_role}", leaked=made is not None)
            else:
                assert made == AGENT, "an admin invites agents"
    _assert_clean(before)


def test_an_agent_token_cannot_hand_a_ticket_to_someone_else_but_an_admin_token_can(attack):
    from kefu.tickets.models import Ticket

    world, before = attack.world, mark()
    ticket_id = int(world.value("ticket.id", "own", AGENT))
    colleague = world.users["alpha"]["agent2"]
    for role, expect in ((AGENT, DENY), (ADMIN, ALLOW)):
        with attack_as(attack.actors, ANONYMOUS) as browser:
            answer = browser.patch(
                f"/api/v1/tickets/{ticket_id}",
                json.dumps({"assignee": colleague.pk}),
                content_type="application/json",
                HTTP_HOST=ALPHA,
                HTTP_AUTHORIZATION=f"Bearer {world.tokens['alpha'][role]}",
            )
            check(world, f"{role} token assigns", answer, expect=expect, seen_by=role)
            assignee = _in_alpha(attack, lambda: Ticket.objects.get(pk=ticket_id).assignee_id)
            if role == AGENT:
                record(
                    "an agent token assigned a ticket to a colleague",
                    leaked=assignee == colleague.pk,
                )
            else:
                assert assignee == colleague.pk
    _assert_clean(before)


def test_an_agent_cannot_revoke_a_colleagues_api_token(attack):
    world, before = attack.world, mark()
    colleague_token = world.objects["alpha"]["api_token"]["other"]
    with attack_as(attack.actors, AGENT) as browser:
        answer = browser.post(
            "/desk/api-tokens/", {"revoke": colleague_token["id"]}, HTTP_HOST=ALPHA
        )
        check(world, "agent revokes a colleague's token", answer, expect=DENY, seen_by=AGENT)
        still = browser.get(
            "/api/v1/tickets",
            HTTP_HOST=ALPHA,
            HTTP_AUTHORIZATION=f"Bearer {colleague_token['secret']}",
        )
        check(world, "the colleague's token afterwards", still, expect=ALLOW, seen_by=AGENT)
    _assert_clean(before)


def test_deactivated_staff_lose_their_session_and_their_token(attack):
    world, before = attack.world, mark()
    agent = world.users["alpha"][AGENT]
    with attack_as(attack.actors, OWNER) as owners_browser:
        owners_browser.post(f"/desk/team/{agent.pk}/deactivate/", HTTP_HOST=ALPHA)
        assert not _active(attack, agent.pk)
        agents_browser = attack.actors.browser(AGENT)
        check(
            world,
            "a deactivated agent's session",
            agents_browser.get("/desk/", HTTP_HOST=ALPHA),
            expect=DENY,
        )
        token = world.tokens["alpha"][AGENT]
        answer = agents_browser.get(
            "/api/v1/tickets", HTTP_HOST=ALPHA, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        check(world, "a deactivated agent's token", answer, expect=DENY)
    _assert_clean(before)


def test_registering_on_the_help_center_never_makes_staff(attack):
    world, before = attack.world, mark()
    with attack_as(attack.actors, ANONYMOUS) as browser:
        browser.post(
            "/accounts/signup/",
            {
                "email": "eve@alpha.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "role": OWNER,
                "is_staff": "on",
                "is_superuser": "on",
            },
            HTTP_HOST=ALPHA,
        )
        made = _in_alpha(attack, lambda: User.objects.filter(email="eve@alpha.example").first())
        assert made is not None, "registration is open in alpha"
        record(
            "registration made staff",
            leaked=made.is_desk_user or made.is_staff or made.is_superuser,
        )
        check(
            world, "the desk after registering", browser.get("/desk/", HTTP_HOST=ALPHA), expect=DENY
        )
    _assert_clean(before)


def test_a_workspace_owner_cannot_sign_in_at_the_operator_console(attack):
    world, before = attack.world, mark()
    owner = world.users["alpha"][OWNER]
    with attack_as(attack.actors, OWNER) as browser:
        answer = browser.post(
            "/admin/login/", {"username": owner.email, "password": PASSWORD}, HTTP_HOST="localhost"
        )
        check(world, "owner's password at the root domain", answer, expect=QUIET, host_label=None)
        for path in ("/operator/", "/admin/"):
            check(
                world,
                f"{path} after it",
                browser.get(path, HTTP_HOST="localhost"),
                expect=DENY,
                host_label=None,
            )
    _assert_clean(before)


def _email_page_attack(attack, actions: tuple[str, ...]) -> None:
    from allauth.account.models import EmailAddress

    world = attack.world
    x, y = world.users["alpha"]["x"], world.users["alpha"]["y"]
    with attack_as(attack.actors, "customer") as browser:
        for action in actions:
            answer = browser.post(
                "/accounts/email/", {"email": y.email, action: ""}, HTTP_HOST=ALPHA
            )
            # Y's address is what X typed: only its being echoed back is no leak.
            answer.content = answer.content.replace(y.email.encode(), b"")
            check(world, f"X's {action} with Y's address", answer, expect=QUIET, seen_by="customer")
        ys = _in_alpha(
            attack,
            lambda: list(
                EmailAddress.objects.filter(user=y).values_list("email", "primary", "verified")
            ),
        )
        record(f"X changed Y's address: {ys}", leaked=ys != [(y.email, True, False)])
        xs = _in_alpha(
            attack,
            lambda: list(
                EmailAddress.objects.filter(user=x, email__iexact=y.email).values_list(
                    "primary", "verified"
                )
            ),
        )
        record(f"X holds Y's address: {xs}", leaked=xs not in ([], [(False, False)]))
        email = _in_alpha(attack, lambda: User.objects.get(pk=x.pk).email)
        record(f"X's account now has the address {email}", leaked=email != x.email)


def test_a_customer_cannot_take_or_remove_another_customers_address(attack):
    """X adds Y's address, resends its mail, tries to remove it. allauth may keep X's claim
    as an unverified address (its verification mail goes to Y); nothing more."""
    before = mark()
    _email_page_attack(attack, ("action_add", "action_send", "action_remove"))
    _assert_clean(before)


def test_a_customer_making_another_customers_address_primary_gets_a_clear_refusal(attack):
    """It was a server error: an unverified address made primary is copied into the account's
    unique email. Only a verified address can become the main one, so X is told to verify it
    and keeps their own address."""
    before = mark()
    _email_page_attack(attack, ("action_add", "action_primary"))
    _assert_clean(before)
    with attack_as(attack.actors, "customer") as browser:
        y = attack.world.users["alpha"]["y"]
        for action in ("action_add", "action_primary"):
            answer = browser.post(
                "/accounts/email/", {"email": y.email, action: ""}, HTTP_HOST=ALPHA, follow=True
            )
        assert answer.status_code == 200
        assert "only a verified address can be your main one" in answer.content.decode()


def test_an_unverified_primary_address_shows_nobody_elses_tickets(attack):
    """Item 1's hole by another door: register, add the address of somebody who wrote in by
    mail, make it primary (allauth allows it while no address is verified), then list "my"
    tickets. The history of an address follows only a verified address."""
    from kefu.contacts.models import Contact
    from kefu.tickets.services.creation import ticket_create

    world, before = attack.world, mark()
    secret = "Zoe private order 8812"
    with attack_as(attack.actors, ANONYMOUS) as browser:
        zoe = _in_alpha(
            attack, lambda: Contact.objects.get(pk=world.value("contact.id", "own", AGENT))
        )
        _in_alpha(
            attack, lambda: ticket_create(subject=secret, description="Refund?", requester=zoe)
        )
        del browser.cookies["kefu_visitor"]  # nothing links the new account to a contact yet
        browser.post(
            "/accounts/signup/",
            {"email": "mallory@alpha.example", "password1": PASSWORD, "password2": PASSWORD},
            HTTP_HOST=ALPHA,
        )
        for action in ("action_add", "action_primary"):
            browser.post("/accounts/email/", {"email": zoe.email, action: ""}, HTTP_HOST=ALPHA)
        browser.cookies["kefu_visitor"] = "visitor-mallory-0123456789"
        looks = [
            ("list", {"tab": "mine"}),
            ("list again", {"tab": "mine"}),
            ("search", {"q": "Zoe"}),
        ]
        for look, params in looks:  # the first page view links the account to its contact
            answer = browser.get("/tickets/", params, HTTP_HOST=ALPHA)
            body = check(
                world, f"an unverified claimant's {look}", answer, expect=ALLOW, seen_by="customer"
            )
            record(
                f"an unverified primary address: its contact's ticket in the {look}",
                leaked=secret in body,
            )
    _assert_clean(before)
