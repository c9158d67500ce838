"""Production settings pass Django's deployment checklist and refuse to start without secrets."""

from __future__ import annotations

import secrets

import pytest

from tests.helpers import run_kefu

pytestmark = pytest.mark.django_db


def _production_env(**overrides: str) -> dict[str, str]:
    return {
        "KEFU_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "KEFU_ROOT_DOMAIN": "kefu.example.com",
        **overrides,
    }


def test_check_deploy_is_clean_with_production_settings():
    result = run_kefu("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_kefu("check", env=_production_env(DJANGO_SECRET_KEY=""))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_sqlite_is_never_an_option():
    result = run_kefu("check", env=_production_env(DATABASE_URL="sqlite:///kefu.db"))
    assert result.returncode != 0
    assert "DATABASE_URL must be a postgresql:// URL" in result.stderr
