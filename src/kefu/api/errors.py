"""The API's one error shape, ``{"error": {"code", "message", "fields"}}`` (rendered by
kefu.core.json_errors, which the error handlers share), and the decorator every ``/api/`` view
wears: the allowed methods (405 with ``Allow``), no NUL in the path or query, and errors raised
below turned into that shape."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kefu.core.json_errors import json_error_response
from kefu.core.parsing import refuse_unstorable
from kefu.tickets.errors import FieldErrors, TicketError


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def response(self) -> JsonResponse:
        return json_error_response(self.status, self.code, self.message, self.fields)


View = Callable[..., HttpResponse]
StrOrPromise = str | Promise


def _error_of(error: Exception, not_found: str) -> ApiError:
    if isinstance(error, ApiError):
        return error
    if isinstance(error, Http404):
        return ApiError(404, "not_found", not_found)
    if isinstance(error, BadRequest):  # kefu.core.parsing's InvalidInput among them
        return ApiError(400, "bad_request", str(error))
    if isinstance(error, FieldErrors):
        return ApiError(400, "invalid", _("Some fields are not valid."), error.errors)
    return ApiError(400, "invalid", str(error))


def _refuse_unknown_parameters(request: HttpRequest, known: tuple[str, ...]) -> None:
    if unknown := sorted(set(request.GET) - set(known)):
        fields = {name: [_("Unknown parameter.")] for name in unknown}
        message = _("Unknown parameters: %s") % ", ".join(unknown)
        raise ApiError(400, "invalid", message, fields)


def api_view(
    *methods: str,
    query: tuple[str, ...] = (),
    before: Callable[[HttpRequest], None] | None = None,
    not_found: StrOrPromise | None = None,
) -> Callable[[View], View]:
    """An API endpoint answering ``methods`` and reading the ``query`` parameters (any other is
    an error); ``before`` runs first (authentication), and a 404 from below says
    ``not_found``."""
    allow = ", ".join(methods)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if before is not None:
                    before(request)
                if request.method not in methods:
                    response = ApiError(405, "method_not_allowed", _("Use %s.") % allow).response()
                    response["Allow"] = allow
                    return response
                refuse_unstorable(request, form=False)
                _refuse_unknown_parameters(request, query)
                return view(request, *args, **kwargs)
            except (ApiError, Http404, BadRequest, TicketError) as error:
                return _error_of(error, str(not_found or _("Not found."))).response()

        wrapped.checks_own_input = True  # type: ignore[attr-defined] - see UnstorableTextMiddleware
        # Read by tests/api/test_error_shape.py, which calls every method of every endpoint.
        wrapped.api_methods = methods  # type: ignore[attr-defined]
        return csrf_exempt(wrapped)

    return decorate
