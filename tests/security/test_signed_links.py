"""Signed links and one-time tokens across workspaces and people: a link minted in beta for
beta's object with the same id as alpha's opens nothing in alpha, a link minted for customer X
opens nothing of customer Y, and each genuine link still works (so these tests can fail)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kefu.tenancy import tenant_context
from tests.security.probe import (
    ALLOW,
    DENY,
    QUIET,
    TALLY,
    check,
    host_of,
    mark,
    new_findings,
    record,
    scenario,
)
from tests.security.routes import ANONYMOUS, CUSTOMER, OWNER
from tests.security.world import World

pytestmark = pytest.mark.django_db

ALPHA, BETA = host_of("alpha"), host_of("beta")


def _in(world: World, label: str, make: Callable[[], Any]) -> Any:
    with tenant_context(world.tenants[label]):
        return make()


def _id(world: World, kind_field: str, variant: str = "own") -> int:
    return int(world.value(kind_field, variant, CUSTOMER))


def _markers(world: World, label: str, audience: str, what: str) -> list[str]:
    return [
        marker
        for marker, (workspace, seen_by) in world.markers.items()
        if workspace == label and seen_by == audience and f"-{what}-" in marker
    ]


def _assert_clean(before: tuple[int, int, int]) -> None:
    findings = new_findings(before)
    assert TALLY.attempts > before[0]
    assert not findings, "\n".join(findings)


def _ticket_token(world: World, label: str, ticket_id: int) -> str:
    from kefu.tickets.links import ticket_access_token
    from kefu.tickets.models import Ticket

    return _in(world, label, lambda: ticket_access_token(Ticket.objects.get(pk=ticket_id)))


@pytest.mark.parametrize("page", ["", "rate/"])
@pytest.mark.parametrize("role", [ANONYMOUS, CUSTOMER])
def test_a_ticket_link_opens_only_its_ticket_and_only_in_its_workspace(attack, role, page):
    world, before = attack.world, mark()
    x_ticket, y_ticket = _id(world, "ticket.id"), _id(world, "ticket.id", "other")
    mailed_to_x = _ticket_token(world, "alpha", x_ticket)
    attacks = [  # beta's twins have the same ids as alpha's tickets
        (
            "beta's link for its ticket with Y's id",
            y_ticket,
            _ticket_token(world, "beta", y_ticket),
            DENY,
        ),
        ("X's link on Y's ticket", y_ticket, mailed_to_x, DENY),
    ]
    if role == ANONYMOUS:  # X, without an account, from the mail
        attacks += [
            ("the link mailed to X", x_ticket, mailed_to_x, ALLOW),
            (
                "beta's link for its ticket with X's id",
                x_ticket,
                _ticket_token(world, "beta", x_ticket),
                DENY,
            ),
        ]
    for description, ticket_id, token, expect in attacks:
        url = f"/tickets/{ticket_id}/{page}"
        with scenario(attack.actors, role) as browser:
            check(
                world,
                description,
                browser.get(url, {"t": token}, HTTP_HOST=ALPHA),
                expect=QUIET,
                seen_by=role,
            )
            body = check(
                world,
                description,
                browser.get(url, HTTP_HOST=ALPHA),
                expect=expect,
                seen_by=role,
                granted=frozenset({"x"} if expect == ALLOW else ()),
            )
            listed = browser.get("/tickets/", {"tab": "mine"}, HTTP_HOST=ALPHA)
            check(
                world,
                f"{description}, then the list",
                listed,
                expect=QUIET,
                seen_by=role,
                granted=frozenset({"x"} if expect == ALLOW else ()),
            )
        if expect == ALLOW:
            assert _markers(world, "alpha", "x", "ticket")[0] in body
    _assert_clean(before)


def test_a_solved_link_minted_in_beta_resolves_nothing_in_alpha(attack):
    from kefu.messaging.autoreply import solved_link_token
    from kefu.tickets.models import Ticket

    world, before = attack.world, mark()
    ticket_id, article_id = _id(world, "solved_link.ticket"), _id(world, "solved_link.article")

    def mint() -> str:
        ticket = Ticket.objects.get(pk=ticket_id)
        return solved_link_token(ticket, article_id=article_id, shown=[article_id])

    url = f"/email/tickets/{ticket_id}/solved-by/{article_id}/"
    for description, token, expect in (
        ("alpha's own link", _in(world, "alpha", mint), ALLOW),
        ("beta's link, same ids", _in(world, "beta", mint), DENY),
    ):
        granted = frozenset({"x"} if expect == ALLOW else ())
        with scenario(attack.actors, ANONYMOUS) as browser:
            check(
                world,
                description,
                browser.get(url, {"t": token}, HTTP_HOST=ALPHA),
                expect=expect,
                granted=granted,
            )
            check(
                world,
                description,
                browser.post(url, {"t": token}, HTTP_HOST=ALPHA),
                expect=expect,
                granted=granted,
            )
            status = _in(world, "alpha", lambda: Ticket.objects.get(pk=ticket_id).status)
            record(
                f"{description} resolved alpha's ticket",
                leaked=expect == DENY and status == Ticket.Status.RESOLVED,
            )
    _assert_clean(before)


def test_an_invitation_of_beta_opens_nothing_in_alpha(attack):
    from kefu.accounts.models import Invitation
    from kefu.accounts.services import invitation_token

    world, before = attack.world, mark()
    invitation_id = _id(world, "invitation.id")
    for label, expect in (("alpha", ALLOW), ("beta", DENY)):
        token = _in(
            world, label, lambda: invitation_token(Invitation.objects.get(pk=invitation_id))
        )
        with scenario(attack.actors, ANONYMOUS) as browser:
            page = browser.get(f"/invitations/{token}/", HTTP_HOST=ALPHA)
            check(world, f"{label}'s invitation {invitation_id}", page, expect=expect)
            accepted = browser.post(
                f"/invitations/{token}/",
                {
                    "full_name": "Eve Intruder",
                    "password1": "a-Strong-pass-9",
                    "password2": "a-Strong-pass-9",
                },
                HTTP_HOST=ALPHA,
            )
            check(
                world,
                f"{label}'s invitation accepted",
                accepted,
                expect=QUIET if expect == ALLOW else DENY,
            )
            desk = browser.get("/desk/", HTTP_HOST=ALPHA)
            check(world, f"the desk after {label}'s invitation", desk, expect=QUIET)
            record(
                f"{label}'s invitation made an alpha account",
                leaked=expect == DENY and desk.status_code == 200,
            )
    _assert_clean(before)


@pytest.mark.parametrize(("minted", "used"), [("alpha", "beta"), ("beta", "alpha")])
def test_a_signup_handoff_signs_in_only_on_its_own_workspace(attack, minted, used):
    from tenants.signup import handoff_create

    world, before = attack.world, mark()
    owner_id = world.users[minted][OWNER].pk  # the same id as the other workspace's owner
    token = handoff_create(tenant=world.tenants[minted], user_id=owner_id)
    with scenario(attack.actors, ANONYMOUS) as browser:
        refused = browser.get(f"/handoff/{token}/", HTTP_HOST=host_of(used))
        check(
            world,
            f"{minted}'s handoff on {used}",
            refused,
            expect=DENY,
            host_label=used,
            refusal=(400,),
        )
        desk = browser.get("/desk/", HTTP_HOST=host_of(used))
        check(world, f"the desk of {used} after it", desk, expect=DENY, host_label=used)
    with scenario(attack.actors, ANONYMOUS) as browser:  # the genuine use still works
        assert browser.get(f"/handoff/{token}/", HTTP_HOST=host_of(minted)).status_code == 302
        desk = browser.get("/desk/", HTTP_HOST=host_of(minted))
        check(
            world, "the owner's own handoff", desk, expect=ALLOW, host_label=minted, seen_by=OWNER
        )
    _assert_clean(before)


def test_a_password_reset_key_of_beta_changes_no_password_in_alpha(attack):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    from kefu.accounts.models import User

    world, before = attack.world, mark()
    user_id = world.users["alpha"]["x"].pk  # beta's twin of X has the same id

    def mint() -> str:
        user = User.objects.get(pk=user_id)
        return f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"

    new_password = "stolen-Pass-77"
    for label in ("alpha", "beta"):
        with scenario(attack.actors, ANONYMOUS) as browser:
            url = f"/accounts/password/reset/key/{_in(world, label, mint)}/"
            page = browser.get(url, HTTP_HOST=ALPHA)
            check(
                world,
                f"{label}'s reset key",
                page,
                expect=QUIET,
                granted=frozenset({"x"} if label == "alpha" else ()),
            )
            form_url = page.get("Location", url)
            browser.post(
                form_url, {"password1": new_password, "password2": new_password}, HTTP_HOST=ALPHA
            )
            changed = _in(
                world, "alpha", lambda: User.objects.get(pk=user_id).check_password(new_password)
            )
            if label == "alpha":
                assert changed, "the genuine reset link must still work"
            record("beta's reset key set X's password in alpha", leaked=label == "beta" and changed)
    _assert_clean(before)


def test_an_email_confirmation_key_of_beta_confirms_nothing_in_alpha(attack):
    """Issue 14 item 2: allauth's own key is the address id signed with the key every workspace
    shares, so beta's key for its address 4 was alpha's key for alpha's address 4 too."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from kefu.accounts.tokens import WorkspaceEmailConfirmation

    world, before = attack.world, mark()
    address_id = _id(world, "email_confirmation.address_id")  # X's address; beta's twin's too

    def keys() -> dict[str, str]:
        address = EmailAddress.objects.get(pk=address_id)
        return {
            "key": WorkspaceEmailConfirmation(address).key,
            "allauth's plain key": EmailConfirmationHMAC(address).key,
        }

    attacks = [(f"beta's {name}", key) for name, key in _in(world, "beta", keys).items()]
    attacks.append(("alpha's allauth plain key", _in(world, "alpha", keys)["allauth's plain key"]))
    for description, key in attacks:
        with scenario(attack.actors, ANONYMOUS) as browser:
            url = f"/accounts/confirm-email/{key}/"
            # GET answers a bad key with a page saying so (200): it must not name X.
            check(world, description, browser.get(url, HTTP_HOST=ALPHA), expect=QUIET)
            check(world, description, browser.post(url, HTTP_HOST=ALPHA), expect=DENY)
            verified = _in(world, "alpha", lambda: EmailAddress.objects.get(pk=address_id).verified)
            record(f"{description} verified X's address in alpha", leaked=verified)
    with scenario(attack.actors, ANONYMOUS) as browser:  # alpha's own key still confirms
        browser.post(
            f"/accounts/confirm-email/{_in(world, 'alpha', keys)['key']}/", HTTP_HOST=ALPHA
        )
        assert _in(world, "alpha", lambda: EmailAddress.objects.get(pk=address_id).verified)
    _assert_clean(before)
