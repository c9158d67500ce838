"""Kefu's own answers for 400, 403, 404 and 500 in both URLconfs (and a failed CSRF check).

A page in the visitor's language, or under ``/api/`` the API's JSON error. None of them lists
URLs or shows a traceback, and the 500 answer needs no database: it may be why the request
failed, so it renders without context processors (no session, no workspace settings).
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.core.json_errors import json_error_response

API_PREFIX = "/api/"
#: Exceptions defined in these packages carry messages Kefu wrote for the person who sent the
#: request; anything else (Django's, a library's) may echo raw input and is not shown.
OWN_PACKAGES = frozenset({"kefu", "tenants", "billing"})


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context = {"status": status, "title": title, "message": message}
    return render(request, "core/error.html", context, status=status)


def own_message(exception: Exception | None) -> str | None:
    """What a bad request was told by Kefu's own code, or None for anyone else's exception."""
    if not isinstance(exception, BadRequest) or not str(exception):
        return None
    package = type(exception).__module__.partition(".")[0]
    return str(exception) if package in OWN_PACKAGES else None


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = own_message(exception) or _(
        "This request could not be understood. Check the address or the form and try again."
    )
    if _is_api(request):
        return json_error_response(400, "bad_request", message)
    return _page(request, 400, _("Bad request"), message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("You do not have permission to open this page.")
    if _is_api(request):
        return json_error_response(403, "forbidden", message)
    return _page(request, 403, _("Not allowed"), message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return json_error_response(404, "not_found", _("There is no such API endpoint or object."))
    message = _(
        "There is no page at this address. The link may be mistyped, or the page was moved "
        "or removed."
    )
    return _page(request, 404, _("Page not found"), message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: usually a page left open too long."""
    message = _(
        "The form was open for too long, or your browser blocks cookies. Reload the page and "
        "send the form again."
    )
    return _page(request, 403, _("The form has expired"), message)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return json_error_response(
            500, "server_error", _("Something went wrong on our side. Try again.")
        )
    tenant = getattr(request, "tenant", None)  # already loaded by the tenant middleware, if any
    name = tenant.name if tenant is not None and tenant.schema_name != "public" else ""
    # The failure may have come before LocaleMiddleware chose the language.
    with translation.override(translation.get_language_from_request(request)):
        body = loader.render_to_string("core/server_error.html", {"workspace_name": name})
    return HttpResponse(body, status=500)
