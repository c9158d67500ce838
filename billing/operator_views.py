"""Operator console pages for plans: their Stripe ids and a button that syncs them."""

from __future__ import annotations

import logging

import stripe
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.models import BillingAccount, Plan
from billing.stripe_sync import plans_sync_to_stripe, stripe_configured

logger = logging.getLogger(__name__)

#: Subscriptions Stripe is charging (a payment may be late, but the workspace still pays).
PAYING_STATUSES = (BillingAccount.Status.ACTIVE, BillingAccount.Status.PAST_DUE)


def stripe_keys_missing_message() -> str:
    return _(
        "Stripe keys are not set (STRIPE_SECRET_KEY): plans cannot be synced and workspaces "
        "cannot pay online. Change a workspace's plan from the workspace list."
    )


@staff_member_required
def plan_list(request: HttpRequest) -> HttpResponse:
    paying = Q(tenants__billing__status__in=PAYING_STATUSES) & ~Q(
        tenants__billing__stripe_subscription_id=""
    )
    plans = Plan.objects.prefetch_related("prices").annotate(
        workspaces=Count("tenants", distinct=True),
        paying=Count("tenants", filter=paying, distinct=True),
    )
    return render(
        request,
        "billing/operator/plan_list.html",
        {"plans": plans, "stripe_configured": stripe_configured()},
    )


@staff_member_required
@require_POST
def plan_sync_view(request: HttpRequest) -> HttpResponse:
    if not stripe_configured():
        messages.error(request, stripe_keys_missing_message())
        return redirect("operator:plan_list")
    try:
        report = plans_sync_to_stripe()
    except (ImproperlyConfigured, stripe.StripeError):
        logger.exception("plan sync to Stripe failed")
        messages.error(request, _("Syncing with Stripe failed; nothing was lost, try again."))
        return redirect("operator:plan_list")
    messages.success(
        request,
        _("Synced with Stripe: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
        },
    )
    return redirect("operator:plan_list")
