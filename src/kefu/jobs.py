"""Background jobs: dramatiq actors that know their tenant.

A tenant actor's message carries the schema name first and ids after it; the worker runs the
function inside that schema. Sending from the public schema is a bug and raises at once.

    @tenant_actor(queue_name="notify", max_retries=5)
    def notify_assignee(ticket_id: int) -> None: ...

    notify_assignee.send(ticket.id)            # inside a tenant request or schema_context
    enqueue_on_commit(notify_assignee, ticket.id)
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import dramatiq
from django.db import transaction

from kefu.tenancy import current_schema, in_public_schema, schema_context

logger = logging.getLogger(__name__)


class TenantActorError(RuntimeError):
    pass


class TenantActor:
    """Wraps a dramatiq actor whose first message argument is the schema name."""

    def __init__(self, actor: dramatiq.Actor) -> None:
        self.actor = actor
        self.actor_name = actor.actor_name
        self.queue_name = actor.queue_name

    def send_to_schema(self, schema_name: str, *args: Any, **kwargs: Any) -> dramatiq.Message:
        if schema_name == "public":
            raise TenantActorError(f"{self.actor_name} is a tenant job; it cannot run in public")
        return self.actor.send(schema_name, *args, **kwargs)

    def send(self, *args: Any, **kwargs: Any) -> dramatiq.Message:
        """Enqueue for the tenant whose schema is active now."""
        if in_public_schema():
            raise TenantActorError(
                f"{self.actor_name} was sent from the public schema; send it inside a tenant"
            )
        return self.send_to_schema(current_schema(), *args, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run synchronously in the current schema (useful in shells and tests)."""
        return self.actor.fn(current_schema(), *args, **kwargs)


def tenant_actor(fn: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Declare a dramatiq actor that runs inside the tenant schema it was sent from."""

    def decorate(func: Callable[..., Any]) -> TenantActor:
        @functools.wraps(func)
        def run_in_schema(schema_name: str, *args: Any, **kwargs: Any) -> Any:
            from tenants.selectors import tenant_exists_for_schema

            if not tenant_exists_for_schema(schema_name=schema_name):
                # The tenant was deleted after the job was sent: nothing left to do.
                logger.warning("skipping %s: no tenant for schema %s", func.__name__, schema_name)
                return None
            with schema_context(schema_name):
                return func(*args, **kwargs)

        options.setdefault("actor_name", f"{func.__module__}.{func.__name__}")
        return TenantActor(dramatiq.actor(run_in_schema, **options))

    if fn is not None:
        return decorate(fn)
    return decorate


def enqueue_on_commit(actor: TenantActor | dramatiq.Actor, *args: Any, **kwargs: Any) -> None:
    """Send after the current transaction commits; a tenant actor keeps the schema of *now*."""
    if isinstance(actor, TenantActor):
        schema_name = current_schema()
        if schema_name == "public":
            raise TenantActorError(f"{actor.actor_name} was enqueued from the public schema")
        transaction.on_commit(lambda: actor.send_to_schema(schema_name, *args, **kwargs))
    else:
        transaction.on_commit(lambda: actor.send(*args, **kwargs))
