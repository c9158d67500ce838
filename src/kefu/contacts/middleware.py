"""Links the help center visitor cookie to the signed-in customer's contact, so the searches
and reads they made before (and while) signed in show on their timeline in the desk.

Cheap: the session remembers which account and cookie were linked, so the link is written
once per session and again only when the cookie changes. Staff are never linked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse

from kefu.core.visitors import COOKIE, visitor_key_sent

logger = logging.getLogger(__name__)

#: Session key holding "<user id>:<visitor id>" of the last link made.
LINKED = "kefu_contact_visitor"


def _visitor_id(request: HttpRequest, response: HttpResponse) -> str:
    """The cookie the browser sent, or the one this response sets for the first time."""
    if sent := visitor_key_sent(request):
        return sent
    new = response.cookies.get(COOKIE)
    return new.value if new is not None and new.value else ""


class ContactVisitorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        self._link(request, response)
        return response

    def _link(self, request: HttpRequest, response: HttpResponse) -> None:
        if connection.schema_name == "public" or not hasattr(request, "session"):
            return
        key = _visitor_id(request, response)
        if not key or SESSION_KEY not in request.session:
            return
        user_id = str(request.session[SESSION_KEY])
        if request.session.get(LINKED) == f"{user_id}:{key}":
            return
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        if user.role == "customer":
            from kefu.contacts.services import contact_for_user, contact_visitor_link

            try:
                with transaction.atomic():
                    contact_visitor_link(contact=contact_for_user(user=user), visitor_key=key)
            except DatabaseError:  # a timeline link is not worth a broken page; next time
                logger.exception("could not link the visitor id to the contact")
                return
        # Staff are remembered too, so their pages do not ask again.
        request.session[LINKED] = f"{user_id}:{key}"
