"""A suspended workspace: customers see a neutral "unavailable" page; its staff (anyone on
``/desk/``, and its signed-in owners, admins and agents anywhere) see why and what to do.

Runs after the session and authentication middleware, so it knows who is asking. Signing in
and out still work (a signed-out owner must be able to sign in to see the reason, without a
link that loops back to the unavailable page), and when the suspension is about billing the
owner and admins may still open the desk's billing pages to settle it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.models import Tenant

#: Reachable while suspended: without them a signed-out owner could never see the reason.
ALWAYS_OPEN = ("/accounts/login/", "/accounts/logout/")
BILLING_PAGES = "/desk/billing/"


class SuspendedWorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or getattr(tenant, "status", "") != Tenant.Status.SUSPENDED:
            return self.get_response(request)
        from tenants.operator import suspension_get

        path = request.path
        if path.startswith(ALWAYS_OPEN):
            return self.get_response(request)
        user = request.user
        staff = user.is_authenticated and getattr(user, "is_desk_user", False)
        manager = staff and user.role in (user.Role.OWNER, user.Role.ADMIN)
        suspension = suspension_get(tenant)
        if manager and suspension.about_billing and path.startswith(BILLING_PAGES):
            return self.get_response(request)
        if staff or path.startswith("/desk/"):
            context = {
                "suspension": suspension,
                "is_manager": manager,
                "is_staff_member": staff,
                "hide_site_nav": True,
            }
            return render(request, "tenants/suspended_staff.html", context, status=503)
        return render(request, "core/suspended.html", {"hide_site_nav": True}, status=503)
