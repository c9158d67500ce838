"""The JSON error every answer under ``/api/`` has, ``{"error": {"code", "message", "fields"}}``.

It lives on the floor because two layers answer under ``/api/``: the API's own views
(kefu.api.errors) and the error handlers of both URLconfs (kefu.core.error_pages), which answer
a path no view matched or an exception no view caught.
"""

from __future__ import annotations

from django.http import JsonResponse


def json_error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    """The error ``code`` with its ``message`` and one list of messages per bad field; a 401
    says how to authenticate (a bearer token)."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="kefu"'
    return response
