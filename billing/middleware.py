"""Read-only workspaces: staff may look but not change anything until the bill is paid.

On a workspace's host, an unsafe request (POST, PUT, PATCH, DELETE) to the desk or the staff
API by staff (a signed-in owner, admin or agent, or an API token) is answered with 403 while
the workspace is read-only. The billing pages stay open (that is where one pays), and so do
sign-in, sign-out and account pages, which live outside ``/desk/``. Customers and the help
center are untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from billing.access import READ_ONLY, workspace_access_state
from kefu.tenancy import tenant_reverse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DESK_PREFIX = "/desk/"
API_PREFIX = "/api/"


def read_only_message(reason: str) -> str:
    if reason == "canceled":
        return _(
            "This workspace is read-only because its subscription was canceled — subscribe "
            "again to restore access."
        )
    if reason == "trial_ended":
        return _("This workspace is read-only because its trial ended — choose a plan to go on.")
    return _("This workspace is read-only because payment is overdue — pay to restore access.")


def _is_staff_request(request: HttpRequest, *, api: bool) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "is_desk_user", False):
        return True
    # API tokens belong to staff only; the token itself is checked by the view.
    return api and request.headers.get("Authorization", "").lower().startswith("bearer ")


class ReadOnlyWorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        blocked = self._blocked(request)
        return blocked if blocked is not None else self.get_response(request)

    def _blocked(self, request: HttpRequest) -> HttpResponse | None:
        tenant = getattr(request, "tenant", None)
        if request.method in SAFE_METHODS or tenant is None or tenant.schema_name == "public":
            return None
        path = request.path_info
        api = path.startswith(API_PREFIX)
        billing_prefix = tenant_reverse("desk:billing")
        if not (api or path.startswith(DESK_PREFIX)) or path.startswith(billing_prefix):
            return None
        if not _is_staff_request(request, api=api):
            return None
        state = workspace_access_state(tenant)
        if state.access != READ_ONLY:
            return None
        message = read_only_message(state.reason)
        wants_json = api or "application/json" in request.headers.get("Accept", "")
        if wants_json:
            body = {
                "error": {
                    "code": "workspace_read_only",
                    "message": message,
                    "billing_url": billing_prefix,
                    "fields": {},
                }
            }
            return JsonResponse(body, status=403)
        return render(
            request,
            "billing/read_only.html",
            {"message": message, "billing_url": billing_prefix},
            status=403,
        )
