"""Deleting from the desk takes two steps: the delete button opens a page that says what will
happen, and only its confirming POST deletes (no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

#: The field the confirmation page's button sends; without it a POST only shows the page.
CONFIRM_FIELD = "confirm"


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "1"


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    button: str,
    cancel_url: str,
) -> HttpResponse:
    """The page that asks before deleting: what happens, a confirming button, a way back."""
    return render(
        request,
        "desk/confirm_delete.html",
        {
            "title": title,
            "consequences": consequences,
            "button": button,
            "cancel_url": cancel_url,
            "confirm_field": CONFIRM_FIELD,
        },
    )
