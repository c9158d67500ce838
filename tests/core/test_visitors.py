"""The help center visitor id: only an id we could have set is taken from the cookie."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from kefu.core.visitors import COOKIE, is_visitor_key, visitor_key, visitor_key_sent


@pytest.mark.parametrize(
    ("value", "ours"),
    [
        ("a" * 16, True),
        ("a" * 64, True),
        ("Ab-_0123456789xyz", True),
        ("a" * 15, False),
        ("a" * 65, False),
        ("a" * 15 + "!", False),
        ("visitor id with spaces", False),
        ("", False),
    ],
)
def test_only_an_id_we_could_have_set_counts(value, ours):
    assert is_visitor_key(value) is ours
    request = RequestFactory().get("/", HTTP_COOKIE=f"{COOKIE}={value}")
    assert visitor_key_sent(request) == (value if ours else "")


def test_a_request_without_an_id_gets_one_new_id_for_the_whole_request():
    request = RequestFactory().get("/")
    first = visitor_key(request)
    assert is_visitor_key(first)
    assert visitor_key(request) == first
    assert visitor_key_sent(request) == ""
