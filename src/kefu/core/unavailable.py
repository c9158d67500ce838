"""A clear 503 while the database cannot be reached (PostgreSQL restarting, a failover, the
network), instead of a crash page: a page in the visitor's language, JSON under ``/api/``,
plain text for machines (an email provider's webhook then retries), each with Retry-After.

The middleware comes first in MIDDLEWARE, so it also covers the tenant middleware's host
lookup. Django turns an exception raised in any inner middleware or view into a 500 response
before an outer middleware sees it; so the error is noted on the request when Django reports it
(``got_request_exception``) and that 500 is replaced here. An error raised while the 500 itself
is rendered reaches this middleware as an exception. Nothing here touches the database: the
page is a plain template rendered without a request (no context processors).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: What "the database cannot be reached" looks like to Django (psycopg's connection refused,
#: server shutting down or starting up, connection lost mid-query, a closed connection).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
#: Long enough for a restart or a managed database's failover, short enough not to lose people.
RETRY_AFTER_SECONDS = 30
_NOTED = "_kefu_database_unavailable"
# The page's own styles only; it loads nothing (static files need the database here too).
_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_UNAVAILABLE as error:
            return database_unavailable_response(request, error)
        if getattr(request, _NOTED, None) is not None:
            return database_unavailable_response(request, getattr(request, _NOTED))
        return response


@receiver(got_request_exception, dispatch_uid="kefu.core.unavailable.note")
def _note_database_unavailable(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_UNAVAILABLE):
        setattr(request, _NOTED, error)


def database_unavailable_response(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.warning(
        "database unavailable: 503 for %s %s (%s: %s)",
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = _("Kefu cannot reach its database at the moment. Please try again shortly.")
        if request.path.startswith("/api/"):
            body = {"error": {"code": "unavailable", "message": message, "fields": {}}}
            response: HttpResponse = JsonResponse(body, status=503)
        elif "text/html" in request.headers.get("Accept", ""):
            response = HttpResponse(
                render_to_string("core/database_unavailable.html"),
                status=503,
                content_type="text/html; charset=utf-8",
            )
            response["Content-Security-Policy"] = _PAGE_POLICY
        else:
            response = HttpResponse(
                message + "\n", status=503, content_type="text/plain; charset=utf-8"
            )
        response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
