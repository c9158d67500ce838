"""Presence: a staff member who is using the desk counts as there ("online while at the desk")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class DeskPresenceMiddleware:
    """Each desk page a staff member opens marks them seen (at most one write a minute).

    Placed after the authentication middleware. The profile is the user's cached
    ``agent_profile``, which the desk's availability menu reads anyway.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/desk/")
            and user is not None
            and user.is_authenticated
            and getattr(user, "is_desk_user", False)
            and getattr(request, "tenant", None) is not None
            and request.tenant.schema_name != "public"
        ):
            from kefu.tickets.routing import agent_seen

            agent_seen(user=user)
        return self.get_response(request)
