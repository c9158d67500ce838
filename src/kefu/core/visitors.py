"""An anonymous, per-host help center visitor id (a cookie): counts one view per visitor per
day and one vote each, and links a signed-in customer's earlier searches to their contact."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "kefu_visitor"
MAX_AGE = 365 * 24 * 3600


def is_visitor_key(value: str) -> bool:
    """Whether ``value`` can be a visitor id we set (anything else in the cookie is ignored)."""
    return 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()


def visitor_key_sent(request: HttpRequest) -> str:
    """The visitor id the browser sent, or "" when it sent none (or not one of ours)."""
    sent = request.COOKIES.get(COOKIE, "")
    return sent if is_visitor_key(sent) else ""


def visitor_key(request: HttpRequest) -> str:
    """The visitor id of this request: the one sent, else a new one ``remember_visitor`` sets."""
    key = visitor_key_sent(request)
    if not key:
        key = getattr(request, "_kefu_new_visitor", "") or secrets.token_urlsafe(16)
        request._kefu_new_visitor = key
    return key


def remember_visitor(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    new = getattr(request, "_kefu_new_visitor", "")
    if new:
        response.set_cookie(
            COOKIE, new, max_age=MAX_AGE, httponly=True, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )  # fmt: skip
    return response
