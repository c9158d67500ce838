"""Token authentication and JSON errors for the ticket API."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kefu.accounts.models import ApiToken, User
from kefu.accounts.services import api_token_authenticate
from kefu.core.tokens import token_digest
from kefu.tickets.errors import FieldErrors, TicketError


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def response(self) -> JsonResponse:
        body = {"error": {"code": self.code, "message": self.message, "fields": self.fields}}
        response = JsonResponse(body, status=self.status)
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="kefu"'
        return response


def _authenticate(request: HttpRequest) -> User:
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


View = Callable[..., HttpResponse]


def staff_api(*methods: str) -> Callable[[View], View]:
    """Token auth, the allowed methods, and service errors turned into JSON errors."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                request.api_user = _authenticate(request)
                if request.method not in methods:
                    error = ApiError(405, "method_not_allowed", _("Use %s.") % ", ".join(methods))
                    response = error.response()
                    response["Allow"] = ", ".join(methods)
                    return response
                return view(request, *args, **kwargs)
            except ApiError as error:
                return error.response()
            except Http404:
                return ApiError(404, "not_found", _("No such ticket.")).response()
            except FieldErrors as error:
                message = _("Some fields are not valid.")
                return ApiError(400, "invalid", message, error.errors).response()
            except TicketError as error:
                return ApiError(400, "invalid", str(error)).response()

        return csrf_exempt(wrapped)

    return decorate
