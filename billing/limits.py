"""Plan limits where they bite (inside a workspace's schema): staff seats, channels, and file
storage (staff uploads; what customers send is always kept, and counted). A refusal is a
PlanLimitError whose message says what to do; pages show it with a link to the plans
(``billing/desk/plan_limit.html``)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import Plan

#: A message (django.contrib.messages) with this tag is shown with a link to the plans.
PLAN_LIMIT_TAG = "plan-limit"


class PlanLimitError(Exception):
    """The workspace's plan does not allow this; the message says what to do."""


def _serialise(limit: str) -> None:
    """Two people adding at once must not both pass a limit: the check and what it allows are
    serialised per workspace until the caller's transaction ends (a no-op outside one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"kefu:{limit}:{connection.schema_name}"]
        )


def current_plan() -> Plan | None:
    """The plan of the workspace whose schema is active."""
    from tenants.models import Tenant

    tenant = (
        Tenant.objects.select_related("plan").filter(schema_name=connection.schema_name).first()
    )
    return tenant.plan if tenant else None


def staff_seats_used() -> int:
    """Active owners, admins and agents, plus pending staff invitations (each will take one)."""
    from django.utils import timezone

    from kefu.accounts.models import Invitation, User

    active = User.objects.filter(is_active=True, role__in=User.STAFF_ROLES).count()
    pending = Invitation.objects.filter(
        role__in=User.STAFF_ROLES,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).count()
    return active + pending


def staff_seat_check(*, adding: int = 1) -> None:
    """Raise PlanLimitError if ``adding`` more staff would pass the plan's agent limit. Call it
    in the transaction that adds them."""
    plan = current_plan()
    if plan is None or plan.max_agents is None:
        return
    _serialise("staff")
    if staff_seats_used() + adding > plan.max_agents:
        raise PlanLimitError(
            _(
                "Your plan (%(plan)s) allows %(limit)d staff members, and they are all taken "
                "or invited. Upgrade your plan, or deactivate someone, to add more."
            )
            % {"plan": plan.name, "limit": plan.max_agents}
        )


def channels_used() -> int:
    """The built-in support address (always there) plus each active channel an admin added
    that really works (a kind that only saves a label takes no place)."""
    from kefu.messaging.models import Channel

    working = Channel.objects.filter(is_active=True, kind__in=Channel.WORKING_KINDS)
    return 1 + working.count()


def channel_check(*, adding: int = 1) -> None:
    """Raise PlanLimitError if ``adding`` more active channels would pass the plan's limit.
    Call it in the transaction that adds them."""
    plan = current_plan()
    if plan is None or plan.max_channels is None:
        return
    _serialise("channels")
    if channels_used() + adding > plan.max_channels:
        raise PlanLimitError(
            ngettext(
                "Your plan (%(plan)s) allows %(limit)d channel, your support address, and it "
                "is in use. Upgrade your plan to add more.",
                "Your plan (%(plan)s) allows %(limit)d channels, and they are all in use (your "
                "support address counts as one). Upgrade your plan, or deactivate a channel, "
                "to add more.",
                plan.max_channels,
            )
            % {"plan": plan.name, "limit": plan.max_channels}
        )


def storage_used_bytes() -> int:
    """Bytes of files kept for the workspace: article images and files, ticket attachments."""
    from kefu.kb.models import ArticleAsset
    from kefu.tickets.models import TicketAttachment

    return sum(
        model.objects.aggregate(total=Sum("size"))["total"] or 0
        for model in (ArticleAsset, TicketAttachment)
    )


def _storage_terms(plan: Plan, used: int) -> dict[str, str]:
    return {
        "plan": plan.name,
        "limit": filesizeformat(plan.max_storage_bytes),
        "used": filesizeformat(used),
    }


def storage_check(*, adding: int) -> None:
    """Raise PlanLimitError if ``adding`` more bytes of staff uploads would pass the plan's
    storage limit. Customers' attachments are never refused for it: they only count."""
    plan = current_plan()
    if plan is None or plan.max_storage_mb is None:
        return
    _serialise("storage")
    used = storage_used_bytes()
    if used + adding > plan.max_storage_bytes:
        raise PlanLimitError(
            _(
                "Your plan (%(plan)s) includes %(limit)s of files and %(used)s are used, so this "
                "upload does not fit. Upgrade your plan, or delete files you no longer need."
            )
            % _storage_terms(plan, used)
        )


def plan_fits_check(plan: Plan) -> None:
    """Raise PlanLimitError if the workspace uses more than ``plan`` allows (before moving to a
    smaller plan): staff seats, channels and storage. Runs inside the workspace's schema."""
    if plan.max_agents is not None and (seats := staff_seats_used()) > plan.max_agents:
        raise PlanLimitError(
            _(
                "The %(plan)s plan allows %(limit)d staff members and this workspace has "
                "%(used)d (invitations included). Deactivate some first."
            )
            % {"plan": plan.name, "limit": plan.max_agents, "used": seats}
        )
    if plan.max_channels is not None and (channels := channels_used()) > plan.max_channels:
        raise PlanLimitError(
            _(
                "The %(plan)s plan allows %(limit)d channels and this workspace uses "
                "%(used)d. Turn some off first."
            )
            % {"plan": plan.name, "limit": plan.max_channels, "used": channels}
        )
    if plan.max_storage_mb is not None and (stored := storage_used_bytes()) > (
        plan.max_storage_bytes
    ):
        raise PlanLimitError(
            _(
                "The %(plan)s plan includes %(limit)s of files and this workspace keeps "
                "%(used)s. Delete some files first."
            )
            % _storage_terms(plan, stored)
        )
