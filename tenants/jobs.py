"""Public-schema jobs for workspaces."""

from __future__ import annotations

import dramatiq


@dramatiq.actor(queue_name="provisioning", max_retries=3)
def pool_refill_job() -> None:
    """Keep the warm schema pool full after a signup claimed one (safe to run twice)."""
    from tenants.services import pool_refill

    pool_refill()


@dramatiq.actor(queue_name="mail", max_retries=3)
def workspace_list_mail_job(email: str, language: str) -> None:
    """Mail an address the workspaces it can sign in to ("find my workspace"; public job)."""
    from tenants.find_workspace import workspace_list_mail_send

    workspace_list_mail_send(email=email, language=language)
