"""The email provider is chosen by the environment: django-anymail's backend for it, its keys
from the environment, and production settings that still pass the deployment checklist."""

from __future__ import annotations

import secrets

import pytest

from tests.helpers import run_kefu

pytestmark = pytest.mark.django_db

PRINT_EMAIL_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.EMAIL_BACKEND); "
    "print(sorted(settings.ANYMAIL)); "
    "print(settings.ANYMAIL.get('MAILGUN_SENDER_DOMAIN'))"
)


def _production_env(**overrides: str) -> dict[str, str]:
    return {
        "KEFU_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "kefu.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "KEFU_ROOT_DOMAIN": "kefu.example.com",
        **overrides,
    }


MAILGUN = {
    "KEFU_EMAIL_PROVIDER": "mailgun",
    "MAILGUN_API_KEY": "key-" + "1" * 32,
    "MAILGUN_SENDER_DOMAIN": "kefu.example.com",
    "MAILGUN_WEBHOOK_SIGNING_KEY": "key-" + "2" * 32,
    "ANYMAIL_WEBHOOK_SECRET": "kefu:" + "3" * 20,
}


def test_production_with_mailgun_sends_through_anymail_and_passes_the_deploy_check():
    settings = run_kefu("shell", "-c", PRINT_EMAIL_SETTINGS, env=_production_env(**MAILGUN))
    check = run_kefu("check", "--deploy", "--fail-level", "WARNING", env=_production_env(**MAILGUN))

    assert settings.returncode == 0, settings.stderr
    backend, keys, sender_domain = settings.stdout.strip().splitlines()[-3:]
    assert backend == "anymail.backends.mailgun.EmailBackend"
    assert keys == str(
        [
            "MAILGUN_API_KEY",
            "MAILGUN_SENDER_DOMAIN",
            "MAILGUN_WEBHOOK_SIGNING_KEY",
            "WEBHOOK_SECRET",
        ]
    )
    assert sender_domain == "kefu.example.com"
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout


def test_an_unknown_provider_or_a_missing_key_stops_the_start():
    unknown = run_kefu("check", env=_production_env(KEFU_EMAIL_PROVIDER="carrier-pigeon"))
    no_key = run_kefu("check", env=_production_env(KEFU_EMAIL_PROVIDER="mailgun"))

    assert unknown.returncode != 0
    assert "KEFU_EMAIL_PROVIDER must be one of" in unknown.stderr
    assert no_key.returncode != 0
    assert "KEFU_EMAIL_PROVIDER=mailgun needs MAILGUN_API_KEY" in no_key.stderr


def test_development_writes_mail_to_files_by_default():
    development = {"KEFU_ENV": "development", "DJANGO_SETTINGS_MODULE": "kefu.settings"}
    result = run_kefu("shell", "-c", PRINT_EMAIL_SETTINGS, env=development)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-3] == (
        "django.core.mail.backends.filebased.EmailBackend"
    )
