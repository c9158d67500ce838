"""The workspace's billing page in the desk: owners and admins see it, only owners act."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.accounts import billing_account_get
from billing.checkout import (
    BillingError,
    billing_currency_change,
    billing_portal_session_create,
    checkout_session_create,
    has_live_subscription,
)
from billing.forms import BillingCurrencyForm
from billing.limits import channels_used, staff_seats_used, storage_used_bytes
from billing.models import Plan
from billing.plan_change import free_plan_choose, is_free, subscription_plan_change
from billing.selectors import billing_overview_get
from billing.stripe_sync import stripe_configured
from kefu.accounts.models import User
from kefu.accounts.permissions import admin_required, role_required
from kefu.tenancy import public_context
from kefu.tickets.calendar import workspace_timezone_name

owner_required = role_required({User.Role.OWNER})


def _see_other(url: str) -> HttpResponseRedirect:
    """303: the browser follows a POST's answer with a GET (to Stripe, or back here)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _billing_url(request: HttpRequest, query: str = "") -> str:
    return request.build_absolute_uri(reverse("desk:billing")) + query


@admin_required
def billing_overview(request: HttpRequest) -> HttpResponse:
    overview = billing_overview_get(tenant=request.tenant, time_zone=workspace_timezone_name())
    return render(
        request,
        "billing/desk/billing.html",
        {
            "overview": overview,
            "account": overview.account,
            "plan": overview.plan,
            "can_manage": request.user.role == User.Role.OWNER,
            "subscribed": has_live_subscription(overview.account),
            "currency_form": BillingCurrencyForm(initial={"currency": overview.account.currency}),
            "checkout_done": request.GET.get("checkout") == "done",
            "stripe_configured": stripe_configured(),
            "in_use": {
                "seats": staff_seats_used(),
                "channels": channels_used(),
                "storage": storage_used_bytes(),
            },
        },
    )


@owner_required
@require_POST
def billing_checkout(request: HttpRequest) -> HttpResponse:
    with public_context():
        plan = Plan.objects.filter(code=request.POST.get("plan", ""), is_active=True).first()
    if plan is None:
        messages.error(request, _("That plan is not offered."))
        return _see_other(reverse("desk:billing"))
    account = billing_account_get(tenant=request.tenant)
    if has_live_subscription(account):
        return _plan_switch(request, plan)
    if is_free(plan, account.currency):
        return _free_plan_choose(request, plan)
    try:
        url = checkout_session_create(
            tenant=request.tenant,
            plan=plan,
            user=request.user,
            success_url=_billing_url(request, "?checkout=done"),
            cancel_url=_billing_url(request),
        )
    except BillingError as error:
        messages.error(request, str(error))
        return _see_other(reverse("desk:billing"))
    return _see_other(url)


def _free_plan_choose(request: HttpRequest, plan: Plan) -> HttpResponse:
    try:
        free_plan_choose(tenant=request.tenant, plan=plan)
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your plan is now %(plan)s.") % {"plan": plan.name})
    return _see_other(reverse("desk:billing"))


def _plan_switch(request: HttpRequest, plan: Plan) -> HttpResponse:
    """A workspace that already pays switches its subscription in place (no second one)."""
    try:
        subscription_plan_change(tenant=request.tenant, plan=plan)
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Your plan is now %(plan)s. The difference for the rest of this period "
                "appears on your next invoice."
            )
            % {"plan": plan.name},
        )
    return _see_other(reverse("desk:billing"))


@owner_required
@require_POST
def billing_portal(request: HttpRequest) -> HttpResponse:
    try:
        url = billing_portal_session_create(tenant=request.tenant, return_url=_billing_url(request))
    except BillingError as error:
        messages.error(request, str(error))
        return _see_other(reverse("desk:billing"))
    return _see_other(url)


@owner_required
@require_POST
def billing_currency(request: HttpRequest) -> HttpResponse:
    form = BillingCurrencyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed currencies."))
        return _see_other(reverse("desk:billing"))
    try:
        account = billing_currency_change(
            tenant=request.tenant, currency=form.cleaned_data["currency"]
        )
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Prices are now shown in %(currency)s.") % {"currency": account.currency}
        )
    return _see_other(reverse("desk:billing"))
