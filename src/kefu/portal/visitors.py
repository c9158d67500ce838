"""An anonymous, per-host visitor id: counts one view per visitor per day and one vote each."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse

COOKIE = "kefu_visitor"
MAX_AGE = 365 * 24 * 3600


def visitor_key(request: HttpRequest) -> str:
    key = request.COOKIES.get(COOKIE, "")
    if not (16 <= len(key) <= 64 and key.replace("-", "").replace("_", "").isalnum()):
        key = getattr(request, "_kefu_new_visitor", "") or secrets.token_urlsafe(16)
        request._kefu_new_visitor = key
    return key


def remember_visitor(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    new = getattr(request, "_kefu_new_visitor", "")
    if new:
        from django.conf import settings

        response.set_cookie(
            COOKIE, new, max_age=MAX_AGE, httponly=True, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )  # fmt: skip
    return response
