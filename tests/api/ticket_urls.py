"""Stand-ins for the ticket pages other branches add (help center ticket page and survey, desk
ticket page), so links in mail and API answers can be reversed before those pages exist.

The ``ticket_links`` fixture switches to this URLconf only while the real names are missing;
once the pages are merged the real URLconf is used and this module does nothing.
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, URLResolver, include, path

from kefu import urls_tenant
from kefu.desk import urls as desk_urls


def _stub(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("stub")


def _real_names_exist() -> bool:
    from kefu.tenancy import tenant_reverse

    try:
        for name in ("ticket_detail", "ticket_rate", "desk:ticket_detail"):
            tenant_reverse(name, args=(1001,))
    except NoReverseMatch:
        return False
    return True


_desk = [*desk_urls.urlpatterns, path("tickets/<int:ticket_id>/", _stub, name="ticket_detail")]
urlpatterns = [
    path("desk/", include((_desk, "desk"))),
    path("tickets/<int:ticket_id>/", _stub, name="ticket_detail"),
    path("tickets/<int:ticket_id>/rate/", _stub, name="ticket_rate"),
    *(
        pattern
        for pattern in urls_tenant.urlpatterns
        if not (isinstance(pattern, URLResolver) and pattern.namespace == "desk")
    ),
]


@pytest.fixture
def ticket_links(settings) -> None:
    if not _real_names_exist():
        settings.ROOT_URLCONF = "tests.api.ticket_urls"
