"""Who may open what: one place for the role checks of every desk view and staff API."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kefu.accounts.models import User

ADMIN_ROLES = frozenset({User.Role.OWNER, User.Role.ADMIN})
STAFF_ROLES = User.STAFF_ROLES

View = Callable[..., HttpResponse]


def _forbidden(request: HttpRequest, *, api: bool) -> HttpResponse:
    message = _("You do not have permission to open this page.")
    if api:
        return JsonResponse({"error": "forbidden", "message": message}, status=403)
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)


def _needs_mfa_setup(request: HttpRequest) -> bool:
    from allauth.mfa.models import Authenticator

    from kefu.desk.selectors import workspace_settings_get

    if not workspace_settings_get().require_staff_mfa:
        return False
    return not Authenticator.objects.filter(
        user=request.user, type=Authenticator.Type.TOTP
    ).exists()


def role_required(roles: Iterable[str], *, api: bool = False) -> Callable[[View], View]:
    """Let in only signed-in, active users of this workspace with one of ``roles``.

    Anonymous people go to the login page (APIs answer 401); everybody else gets 403. Staff of a
    workspace that requires two-factor authentication are sent to set it up first.
    """
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                if api:
                    return JsonResponse(
                        {"error": "unauthenticated", "message": _("Sign in first.")}, status=401
                    )
                return redirect_to_login(request.get_full_path())
            if user.role not in allowed:
                return _forbidden(request, api=api)
            if not api and _needs_mfa_setup(request):
                return redirect("mfa_activate_totp")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


staff_required = role_required(STAFF_ROLES)
admin_required = role_required(ADMIN_ROLES)
#: The desk's own JSON endpoints (its pages call them with the session cookie); the token API
#: of ``/api/v1`` is kefu.api.auth.staff_api.
staff_json_view = role_required(STAFF_ROLES, api=True)
admin_json_view = role_required(ADMIN_ROLES, api=True)
