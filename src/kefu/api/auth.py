"""Staff API tokens: ``Authorization: Bearer kefu_...`` on every call but search and the schema.

No cookie authenticates, so there is nothing for CSRF to protect. A customer's session or a
live token whose owner is no longer staff gets 403; no token or a bad one gets 401.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kefu.accounts.models import ApiToken, User
from kefu.accounts.services import api_token_authenticate
from kefu.api.errors import ApiError, StrOrPromise, View, api_view
from kefu.core.tokens import token_digest


def _token_user(request: HttpRequest) -> User:
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() == "bearer" and secret:
        user = api_token_authenticate(secret)
        if user is not None:
            return user
        live = ApiToken.objects.filter(
            token_hash=token_digest(secret), revoked_at=None, user__is_active=True
        )
        if live.exists():  # a live token whose owner is no longer staff
            raise ApiError(403, "forbidden", _("Only staff can use the API."))
    elif request.user.is_authenticated and not request.user.is_desk_user:
        raise ApiError(
            403, "forbidden", _("The API is for staff and integrations; use the help center.")
        )
    raise ApiError(401, "unauthenticated", _("Send a valid staff API token."))


def _authenticate(request: HttpRequest) -> None:
    request.api_user = _token_user(request)  # type: ignore[attr-defined]


def staff_api(
    *methods: str, not_found: StrOrPromise, query: tuple[str, ...] = ()
) -> Callable[[View], View]:
    """An endpoint for staff tokens (see api_view); the view reads the caller from
    ``request.api_user``. The one way ``/api/v1`` authenticates: no session, no other header."""
    as_endpoint = api_view(*methods, query=query, before=_authenticate, not_found=not_found)

    def decorate(view: View) -> View:
        endpoint = as_endpoint(view)
        endpoint.api_token_required = True  # type: ignore[attr-defined] - read by the tests
        return endpoint

    return decorate
