"""The workspace's billing page in the desk (owners and admins see it)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from billing.accounts import billing_account_get
from kefu.accounts.permissions import admin_required


@admin_required
def billing_overview(request: HttpRequest) -> HttpResponse:
    account = billing_account_get(tenant=request.tenant)
    return render(
        request,
        "billing/desk/billing.html",
        {"account": account, "plan": account.tenant.plan},
    )
