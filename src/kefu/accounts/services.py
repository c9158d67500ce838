"""Writes for people: accounts, invitations, deactivation (run inside the tenant's schema)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.accounts.models import ApiToken, Invitation, User
from kefu.core.signing import workspace_dumps, workspace_loads
from kefu.core.tokens import token_digest
from kefu.jobs import enqueue_on_commit

_INVITATION_PURPOSE = "kefu.accounts.invitation"


class AccountError(Exception):
    """A request about accounts that cannot be carried out; the message is fit to show."""


class StaffLimitError(AccountError):
    """The plan's staff limit is reached; pages show the message with a link to the plans."""


def _supported_language(code: str) -> str:
    """``code`` as one of the site's languages (zh-cn → zh-hans), "" when not one of them."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code.lower())
    except LookupError:
        return ""


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email_verified: bool = False,
    language: str = "",
) -> User:
    """Create a person in the current schema. ``password=None`` leaves it unusable;
    ``language`` is the one their mails are written in (the page they signed up on)."""
    email = email.strip().lower()
    user = User(
        username=email,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        is_staff=False,
        language=_supported_language(language),
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user


def split_full_name(full_name: str) -> tuple[str, str]:
    parts = full_name.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


# --- invitations ------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return workspace_dumps([invitation.pk, invitation.nonce], purpose=_INVITATION_PURPOSE)


def invitation_get_by_token(token: str) -> Invitation | None:
    """The pending invitation a link names, or None (bad signature, another workspace's, used,
    revoked, expired)."""
    try:
        invitation_id, nonce = workspace_loads(token, purpose=_INVITATION_PURPOSE)
    except (ValueError, TypeError):
        return None
    invitation = Invitation.objects.filter(pk=invitation_id, nonce=nonce).first()
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


@transaction.atomic
def invitation_create(*, email: str, role: str, invited_by: User) -> Invitation:
    from kefu.accounts.jobs import invitation_send_job

    email = email.strip().lower()
    if role not in {User.Role.ADMIN, User.Role.AGENT, User.Role.CUSTOMER}:
        raise AccountError(_("Invitations are for admins, agents and customers."))
    if role == User.Role.ADMIN and invited_by.role not in {User.Role.OWNER, User.Role.ADMIN}:
        raise AccountError(_("Only owners and admins can invite admins."))
    if User.objects.filter(email=email).exists():
        raise AccountError(_("Somebody with this email address is already in this workspace."))
    if role in User.STAFF_ROLES:
        _staff_seat_check()
    # A new invitation replaces a pending one for the same address.
    Invitation.objects.filter(email=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email,
                role=role,
                nonce=secrets.token_hex(16),
                invited_by=invited_by,
                expires_at=timezone.now() + timedelta(days=settings.KEFU_INVITATION_TTL_DAYS),
            )
    except IntegrityError:
        raise AccountError(_("An invitation for this address was just sent.")) from None
    enqueue_on_commit(invitation_send_job, invitation.pk, invitation.nonce)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at=None).update(revoked_at=timezone.now())


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    password: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "",
) -> User:
    """Create the invited person's account. Their email is verified: they followed its link."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_pending:
        raise AccountError(_("This invitation has already been used or has expired."))
    if User.objects.filter(email=locked.email).exists():
        raise AccountError(_("Somebody with this email address is already in this workspace."))
    user = user_create(
        email=locked.email,
        password=password,
        role=locked.role,
        first_name=first_name,
        last_name=last_name,
        email_verified=True,
        language=language,
    )
    locked.accepted_at = timezone.now()
    locked.accepted_user = user
    locked.save(update_fields=["accepted_at", "accepted_user"])
    return user


# --- staff ------------------------------------------------------------------------------------


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> int:
    """Switch an account off (it can no longer sign in; open sessions stop working) and put
    its open tickets back in the queue. Returns how many tickets went back."""
    from kefu.tickets.models import Ticket

    if user.pk == actor.pk:
        raise AccountError(_("You cannot deactivate yourself."))
    if user.role == User.Role.OWNER:
        raise AccountError(_("The workspace owner cannot be deactivated."))
    if user.role == User.Role.ADMIN and actor.role != User.Role.OWNER:
        raise AccountError(_("Only the owner can deactivate an admin."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    return Ticket.objects.filter(assignee=user, status__in=Ticket.ACTIVE_STATUSES).update(
        assignee=None, updated_at=timezone.now()
    )


def _staff_seat_check() -> None:
    from billing.limits import PlanLimitError, staff_seat_check

    try:
        staff_seat_check()
    except PlanLimitError as error:
        raise StaffLimitError(str(error)) from None


@transaction.atomic
def user_reactivate(*, user: User) -> None:
    if user.is_active:
        return
    if user.role in User.STAFF_ROLES:
        _staff_seat_check()
    user.is_active = True
    user.save(update_fields=["is_active"])


# --- API tokens -------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for a staff member; returns it with the secret, which is never stored."""
    if not user.is_desk_user:
        raise AccountError(_("Only staff can have API tokens."))
    secret = "kefu_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100] or "API", token_hash=token_digest(secret),
        prefix=secret[:12],
    )  # fmt: skip
    return token, secret


def api_token_authenticate(secret: str) -> User | None:
    """The active staff member a token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_digest(secret), revoked_at=None)
        .first()
    )
    if token is None or not token.user.is_active or not token.user.is_desk_user:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
