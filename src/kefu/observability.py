"""Logging and Sentry: every log line and every error event names its tenant."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def current_schema_name() -> str:
    """The schema the default connection points at ("public" outside any tenant)."""
    try:
        from django.db import connection

        return str(getattr(connection, "schema_name", "public"))
    except Exception:
        return "-"


class TenantLogFilter(logging.Filter):
    """Adds ``tenant`` (the schema name) to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "tenant"):
            record.tenant = current_schema_name()
        return True


def logging_config(*, level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"tenant": {"()": "kefu.observability.TenantLogFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s [%(tenant)s] %(name)s: %(message)s"}
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["tenant"],
                "formatter": "plain",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "pgserver": {"level": "WARNING"},
        },
    }


def add_tenant_to_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry ``before_send``: tag the event with the tenant whose schema was active when it
    was captured (the schema, not a scope tag, so a stale scope can never mislabel it)."""
    event.setdefault("tags", {})["tenant"] = current_schema_name()
    return event


def init_sentry(
    *, dsn: str, environment: str, traces_sample_rate: float, transport: Any = None
) -> bool:
    """Start Sentry when a DSN is configured; with no DSN nothing is sent anywhere."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.dramatiq import DramatiqIntegration

    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": environment,
        "traces_sample_rate": traces_sample_rate,
        "integrations": [DjangoIntegration(), DramatiqIntegration()],
        "before_send": add_tenant_to_event,
        "before_send_transaction": add_tenant_to_event,
    }
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
    return True
