"""The operator's sign-in and admin pages say they are Kefu's, in both languages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "header", "intro"),
    [
        ("en", "Kefu operator console", "Sign in with your Kefu operator account"),
        ("zh-hans", "Kefu 运营控制台", "用 Kefu 运营账户登录"),
    ],
)
def test_the_operator_sign_in_is_branded(client, language, header, intro):
    response = client.get("/admin/login/", HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 200
    assert header in page
    assert intro in page
    assert "Django" not in page
